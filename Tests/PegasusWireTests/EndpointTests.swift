import PegasusWire
import Testing

@Suite("Endpoint and Endpoint parsing")
struct EndpointTests {
    @Test(arguments: [
        ("127.0.0.1:34601", "127.0.0.1", 34601),
        ("0.0.0.0:1", "0.0.0.0", 1),
        ("255.255.255.255:65535", "255.255.255.255", 65535),
        ("localhost:8080", "localhost", 8080),
        ("Meta-1.Example.COM:34601", "meta-1.example.com", 34601),
        ("a:2", "a", 2),
    ])
    func validAddresses(text: String, host: String, port: Int) throws {
        let address = try Endpoint(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.description == "\(host):\(port)")
        #expect(try Endpoint(parsing: address.description) == address)
    }

    @Test(arguments: [
        ("127.0.0.1", AddressParseError.Code.missingPort),
        ("", .missingPort),
        (":34601", .invalidHost),
        ("256.0.0.1:1", .invalidHost),
        ("1.2.3:1", .invalidHost),
        ("1.2.3.4.5:1", .invalidHost),
        ("01.2.3.4:1", .invalidHost),
        ("1..2.3:1", .invalidHost),
        ("-host:1", .invalidHost),
        ("host-:1", .invalidHost),
        ("ho st:1", .invalidHost),
        ("host_name:1", .invalidHost),
        ("host.:1", .invalidHost),
        ("host.123:1", .invalidHost),
        ("::1:34601", .invalidHost),
        ("[::1]:34601", .invalidHost),
        ("h:p:1", .invalidHost),
        ("x:y", .invalidPort),
        ("host:", .invalidPort),
        ("host:0", .invalidPort),
        ("host:65536", .invalidPort),
        ("host:034601", .invalidPort),
        ("host:+1", .invalidPort),
        ("host:1 ", .invalidPort),
        ("host:99999999999999999999", .invalidPort),
        (" host:1", .invalidHost),
        ("hôst:1", .invalidHost),
    ])
    func invalidAddresses(text: String, code: AddressParseError.Code) {
        #expect {
            try Endpoint(parsing: text)
        } throws: { error in
            (error as? AddressParseError)?.code == code && (error as? AddressParseError)?.text == text
        }
    }

    @Test func errorDescriptionNamesTheText() {
        #expect {
            try Endpoint(parsing: "x:y")
        } throws: { error in
            String(describing: error).hasPrefix("\"x:y\" is not host:port")
        }
    }

    @Test func hostNameLengthLimits() throws {
        let label63 = String(repeating: "a", count: 63)
        _ = try Endpoint(parsing: "\(label63).b:1")
        #expect(throws: AddressParseError.self) { try Endpoint(parsing: "\(label63)a.b:1") }
        let longName = Array(repeating: String(repeating: "a", count: 50), count: 6).joined(separator: ".")
        #expect(longName.utf8.count > 253)
        #expect(throws: AddressParseError.self) { try Endpoint(parsing: "\(longName):1") }
    }

    @Test func partsInitializerValidates() throws {
        let address = try Endpoint(host: "Meta.Local", port: 34601)
        #expect(address == (try Endpoint(parsing: "meta.local:34601")))
        #expect(throws: AddressParseError.self) { try Endpoint(host: "meta", port: 0) }
        #expect(throws: AddressParseError.self) { try Endpoint(host: "bad host", port: 1) }
    }

    @Test func hostPortAllowsPortZeroOnlyWhenAsked() throws {
        #expect(try Endpoint(parsing: "127.0.0.1:0", allowsPortZero: true).port == 0)
        #expect(throws: AddressParseError.self) { try Endpoint(parsing: "127.0.0.1:0") }
        #expect(try Endpoint(parsing: "zk1:2181").description == "zk1:2181")
    }
}

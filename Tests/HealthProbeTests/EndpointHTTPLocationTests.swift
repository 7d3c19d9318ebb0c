import PegasusWire
import Testing

@testable import HealthProbe

@Suite("MetaServer addresses in HTTP bodies and redirects")
struct EndpointHTTPLocationTests {
    @Test(
        "host:port from a body field",
        arguments: [
            ("meta1:34601", "meta1:34601"),
            ("META1:34601", "meta1:34601"),
            ("127.0.0.1:1", "127.0.0.1:1"),
            ("[::1]:34601", "[::1]:34601"),
            ("invalid host_port", nil),
            ("meta1", nil),
            ("meta1:", nil),
            (":34601", nil),
            ("meta1:70000", nil),
            ("meta1:+1", nil),
            ("a/b:1", nil),
        ] as [(String, String?)]
    )
    func bodyField(text: String, expected: String?) {
        #expect(Endpoint(validating: text)?.description == expected)
    }

    @Test(
        "host:port from a 307 Location",
        arguments: [
            ("http://10.0.0.2:34601/meta/app?name=t1", "10.0.0.2:34601"),
            ("HTTP://meta2:34601", "meta2:34601"),
            ("http://[fe80::1]:34601/x", "[fe80::1]:34601"),
            ("https://meta2:34601/", nil),
            ("http://", nil),
            ("http://meta2/", nil),
            ("/meta/app", nil),
        ] as [(String, String?)]
    )
    func redirect(location: String, expected: String?) {
        #expect(Endpoint(httpLocation: location)?.description == expected)
    }
}

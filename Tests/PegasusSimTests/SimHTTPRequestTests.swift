import PegasusWire
import Testing

@testable import PegasusSim

@Suite("SimHTTPRequest: request targets")
struct SimHTTPRequestTests {
    @Test("request targets parse like rDSN: decoded, empty segments dropped, flags, duplicates rejected")
    func httpRequest() throws {
        let request = try SimHTTPRequest(target: "/meta//app/?name=my%20table&detail")
        #expect(request.path == "meta/app")
        #expect(request.query == ["name": "my table", "detail": ""])
        #expect(request.rebuiltTarget == "/meta/app?detail=&name=my table")
        #expect(try SimHTTPRequest(target: "/").path == "")
        #expect(throws: SimHTTPRequest.ParseError.self) { try SimHTTPRequest(target: "/x?a=1&a=2") }
        #expect(throws: SimHTTPRequest.ParseError.self) { try SimHTTPRequest(target: "/x%zz") }
    }
}

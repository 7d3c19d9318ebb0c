import Testing

@testable import HealthProbe

@Suite("host:port parsing")
struct HostPortTests {
    @Test(
        "host:port parsing",
        arguments: [
            ("meta1:34601", "meta1:34601"),
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
    func hostPort(text: String, expected: String?) {
        #expect(HostPort(parsing: text)?.description == expected)
    }
}

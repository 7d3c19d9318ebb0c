import AdminHTTP
import Testing

@Suite("AdminRequestTarget")
struct AdminRequestTargetTests {
    @Test(
        "hostile request targets parse without trapping",
        arguments: [
            ("/healthz?=", "/healthz", [:]),
            ("/readyz?=&=", "/readyz", [:]),
            ("/healthz?=x&y=", "/healthz", ["y": ""]),
            ("/healthz?&&&", "/healthz", [:]),
            ("/healthz?", "/healthz", [:]),
            ("?", "", [:]),
            ("", "", [:]),
            ("/a??b=c?d", "/a", ["?b": "c?d"]),
            ("/a?b==c", "/a", ["b": "=c"]),
            ("/a?%", "/a", ["%": ""]),
            ("/a?%zz=%4", "/a", ["%zz": "%4"]),
            ("/a?k=%41%42+c", "/a", ["k": "AB c"]),
            ("/a?k=%ff%fe", "/a", ["k": "\u{FFFD}\u{FFFD}"]),
            ("/a?k=%00", "/a", ["k": "\u{0}"]),
            ("/a?k=1&k=2", "/a", ["k": "2"]),
            ("/a?strict", "/a", ["strict": ""]),
        ] as [(String, String, [String: String])]
    )
    func hostile(uri: String, path: String, query: [String: String]) {
        let target = AdminRequestTarget(parsing: uri)
        #expect(target.path == path)
        #expect(target.query == query)
    }

    @Test("a huge target is parsed, reading at most maxParameters pairs")
    func huge() {
        let uri = "/" + String(repeating: "a", count: 100_000) + "?" + (0..<10_000).map { "k\($0)=v" }.joined(separator: "&")
        let target = AdminRequestTarget(parsing: uri)
        #expect(target.path.utf8.count == 100_001)
        #expect(target.query.count == AdminRequestTarget.maxParameters)
        #expect(target.query["k0"] == "v")
    }

    @Test("a path without query is the whole target, as sent")
    func plainPath() {
        #expect(AdminRequestTarget(parsing: "/routes") == AdminRequestTarget(path: "/routes"))
        #expect(AdminRequestTarget(parsing: "/r%41utes").path == "/r%41utes")
    }
}

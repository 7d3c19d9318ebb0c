import PegasusWire
import RouteModel
import Testing

@Suite("RouteDocument: ZooKeeper node JSON")
struct RouteDocumentTests {
    static let path = "/pegasus/t1"

    static func decode(_ json: String) throws -> Route {
        try RouteDocument.decode(Array(json.utf8), table: "t1", path: path)
    }

    static func addresses(_ texts: String...) throws -> [Endpoint] {
        try texts.map { try Endpoint(parsing: $0) }
    }

    @Test func rfcLayout() throws {
        let route = try Self.decode(#"{"cluster": "c3srv-ad", "meta-addrs": ["127.0.0.1:34601", "127.0.0.1:34602"]}"#)
        #expect(route.table == "t1")
        #expect(route.primary.name == "c3srv-ad")
        #expect(route.primary.metas == (try Self.addresses("127.0.0.1:34601", "127.0.0.1:34602")))
        #expect(route.backups.isEmpty)
    }

    @Test func goLayoutWithOneOrManyAddresses() throws {
        let many = try Self.decode(
            #"{"cluster_name": "c1", "meta_addrs": "10.0.0.1:34601,10.0.0.2:34601, 10.0.0.3:34601"}"#
        )
        #expect(many.primary.name == "c1")
        #expect(many.primary.metas == (try Self.addresses("10.0.0.1:34601", "10.0.0.2:34601", "10.0.0.3:34601")))
        let one = try Self.decode(#"{"cluster_name": "c1", "meta_addrs": "10.0.0.1:34601"}"#)
        #expect(one.primary.metas == (try Self.addresses("10.0.0.1:34601")))
    }

    @Test func unknownKeysAreIgnored() throws {
        let route = try Self.decode(#"{"cluster": "c1", "meta-addrs": ["h1:1"], "owner": "ops", "version": 3}"#)
        #expect(route.primary.name == "c1")
    }

    @Test func backupsInPreferenceOrderWithEitherKeyStyle() throws {
        let route = try Self.decode(
            #"""
            {"cluster": "c1", "meta-addrs": ["h1:1"],
             "backups": [{"cluster": "c2", "meta-addrs": ["h2:1", "h2:2"]}, {"cluster_name": "c3", "meta_addrs": "h3:1,h3:2"}]}
            """#
        )
        #expect(route.backups.map(\.name) == ["c2", "c3"])
        #expect(route.backups[1].metas == (try Self.addresses("h3:1", "h3:2")))
        #expect(route.clusters.map(\.name) == ["c1", "c2", "c3"])
    }

    @Test(
        arguments: [
            ("", nil, "empty node data"),
            ("not json", nil, "invalid JSON"),
            ("[1, 2]", nil, "expected a mapping"),
            (#"{"meta-addrs": ["h:1"]}"#, nil, "missing key \"cluster\""),
            (#"{"cluster": "", "meta-addrs": ["h:1"]}"#, "cluster", "non-empty string"),
            (#"{"cluster": 5, "meta-addrs": ["h:1"]}"#, "cluster", "expected a string, got 5"),
            (#"{"cluster": "c1"}"#, nil, "missing key \"meta-addrs\""),
            (#"{"cluster": "c1", "meta-addrs": []}"#, "meta-addrs", "empty list"),
            (#"{"cluster": "c1", "meta_addrs": ""}"#, "meta_addrs[0]", "empty item"),
            (#"{"cluster": "c1", "meta_addrs": "h:1,,h:2"}"#, "meta_addrs[1]", "empty item"),
            (#"{"cluster": "c1", "meta-addrs": ["h:1", "x:y"]}"#, "meta-addrs[1]", "\"x:y\" is not host:port"),
            (#"{"cluster": "c1", "meta-addrs": ["h:1", 7]}"#, "meta-addrs[1]", "expected a string, got 7"),
            (#"{"cluster": "c1", "meta-addrs": {"a": 1}}"#, "meta-addrs", "expected a list of strings"),
            (#"{"cluster": "c1", "meta-addrs": ["h:1", "H:1"]}"#, "meta-addrs[1]", "duplicate address h:1"),
            (#"{"cluster": "c1", "cluster_name": "c1", "meta-addrs": ["h:1"]}"#, nil, "mean the same"),
            (#"{"cluster": "c1", "meta-addrs": ["h:1"], "backups": {}}"#, "backups", "expected a list"),
            (#"{"cluster": "c1", "meta-addrs": ["h:1"], "backups": ["c2"]}"#, "backups[0]", "expected a mapping"),
            (
                #"{"cluster": "c1", "meta-addrs": ["h:1"], "backups": [{"cluster": "c1", "meta-addrs": ["h:2"]}]}"#,
                "backups[0]", "is the primary cluster"
            ),
            (
                #"{"cluster": "c1", "meta-addrs": ["h:1"], "backups": [{"cluster": "c2", "meta-addrs": ["h:1"]}]}"#,
                "backups[0]", "shares MetaServer h:1"
            ),
            (
                #"{"cluster": "c1", "meta-addrs": ["h:1"], "backups": [{"cluster": "c2", "meta-addrs": ["h:2"]}, {"cluster": "c2", "meta-addrs": ["h:3"]}]}"#,
                "backups[1]", "listed twice as a backup"
            ),
            (
                #"{"cluster": "c1", "meta-addrs": ["h:1"], "backups": [{"cluster": "c2", "meta-addrs": ["h:2"], "backups": []}]}"#,
                "backups[0]", "cannot have backups"
            ),
            (
                #"{"cluster": "c1", "meta-addrs": ["h:1"], "backups": [{"cluster": "c2", "meta-addrs": ["bad"]}]}"#,
                "backups[0].meta-addrs[0]", "is not host:port"
            ),
        ] as [(String, String?, String)]
    )
    func malformedDocuments(json: String, keyPath: String?, reason: String) {
        let error = #expect(throws: RouteError.self) { try Self.decode(json) }
        #expect(error?.code == .malformed)
        #expect(error?.source == Self.path)
        #expect(error?.table == "t1")
        #expect(error?.keyPath == keyPath)
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
        #expect(error?.description.hasPrefix(Self.path + ": " + (keyPath.map { $0 + ": " } ?? "")) == true)
    }

    @Test func encodesTheRFCLayoutInAFixedKeyOrder() throws {
        let primary = ClusterRoute(name: "c1", metas: try Self.addresses("127.0.0.1:34601", "meta:2"))
        let plain = Route(table: "t1", primary: primary)
        #expect(
            String(decoding: RouteDocument.encode(plain), as: UTF8.self)
                == #"{"cluster":"c1","meta-addrs":["127.0.0.1:34601","meta:2"]}"#
        )
        let backup = ClusterRoute(name: "c\"2\\\n", metas: try Self.addresses("10.0.0.1:1"))
        let withBackup = Route(table: "t1", primary: primary, backups: [backup])
        #expect(
            String(decoding: RouteDocument.encode(withBackup), as: UTF8.self)
                == #"{"cluster":"c1","meta-addrs":["127.0.0.1:34601","meta:2"],"backups":[{"cluster":"c\"2\\\n","meta-addrs":["10.0.0.1:1"]}]}"#
        )
    }

    @Test func writeThenReadRoundTrips() throws {
        let routes = [
            Route(table: "t1", primary: ClusterRoute(name: "c1", metas: try Self.addresses("h1:1"))),
            Route(
                table: "t1",
                primary: ClusterRoute(name: "ü \u{1}\t\"x\"", metas: try Self.addresses("h1:1", "10.1.1.1:34601")),
                backups: [
                    ClusterRoute(name: "c2", metas: try Self.addresses("h2:1")),
                    ClusterRoute(name: "c3", metas: try Self.addresses("h3:1", "h3:2")),
                ]
            ),
        ]
        for route in routes {
            let bytes = RouteDocument.encode(route)
            #expect(try RouteDocument.decode(bytes, table: "t1", path: Self.path) == route)
            #expect(RouteDocument.encode(try RouteDocument.decode(bytes, table: "t1", path: Self.path)) == bytes)
        }
    }

    @Test func arbitraryBytesNeverTrap() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let count = Int.random(in: 0...64, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            do {
                _ = try RouteDocument.decode(bytes, table: "t", path: "/p/t")
            } catch {
                #expect(error.code == .malformed)
            }
        }
    }

    @Test func jsonShapedFuzzNeverTraps() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "{", "}", "[", "]", ",", ":", "\"cluster\"", "\"cluster_name\"", "\"meta-addrs\"", "\"meta_addrs\"",
            "\"backups\"", "\"h:1\"", "\"1.2.3.4:5\"", "\"x:y\"", "\":\"", "\"\"", "null", "true", "1", "-0.5e9",
            "\"h:1,h:2\"", "\"\\u0000\"", "\"\\ud800\"", "\"c1\"", " ",
        ]
        for _ in 0..<3000 {
            let count = Int.random(in: 1...24, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
            do {
                _ = try RouteDocument.decode(Array(text.utf8), table: "t", path: "/p/t")
            } catch {
                #expect(error.code == .malformed)
            }
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: RouteError.self) { try RouteDocument.decode(Array(deep.utf8), table: "t", path: "/p/t") }
        let deepObject = #"{"cluster":"# + String(repeating: "[", count: 100_000)
        #expect(throws: RouteError.self) { try RouteDocument.decode(Array(deepObject.utf8), table: "t", path: "/p/t") }
    }
}

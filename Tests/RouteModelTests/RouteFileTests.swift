import PegasusWire
import RouteModel
import Testing

@Suite("RouteFile: the YAML routes file")
struct RouteFileTests {
    static func parse(_ yaml: String) throws -> [String: Route] {
        try RouteFile.parse(Array(yaml.utf8), file: "routes.yaml")
    }

    @Test func readsTablesWithEveryAddressSpelling() throws {
        let routes = try Self.parse(
            """
            tables:
              t1: { cluster: c1, meta_addrs: ["127.0.0.1:34601", "127.0.0.1:34602"] }
              t2: { cluster: c2, meta-addrs: [127.0.0.1:34611], backups: [{ cluster: c1, meta_addrs: ["127.0.0.1:34601"] }] }
              t3:
                cluster: c3
                meta_addrs: "10.0.0.1:34601, 10.0.0.2:34601"
            """
        )
        #expect(routes.keys.sorted() == ["t1", "t2", "t3"])
        #expect(routes["t1"]?.primary.metas.map(\.description) == ["127.0.0.1:34601", "127.0.0.1:34602"])
        #expect(routes["t2"]?.primary.name == "c2")
        #expect(routes["t2"]?.backups.map(\.name) == ["c1"])
        #expect(routes["t3"]?.primary.metas.map(\.description) == ["10.0.0.1:34601", "10.0.0.2:34601"])
        #expect(routes["t3"]?.table == "t3")
    }

    @Test func aliasesShareEntries() throws {
        let routes = try Self.parse(
            """
            tables:
              t1: { cluster: c1, meta_addrs: [h:1], backups: &backups [{ cluster: c2, meta_addrs: [h:2] }] }
              t2: { cluster: c3, meta_addrs: [h:3], backups: *backups }
            """
        )
        #expect(routes["t2"]?.backups == routes["t1"]?.backups)
        #expect(routes["t2"]?.backups.map(\.name) == ["c2"])
    }

    @Test func emptyTablesIsValid() throws {
        #expect(try Self.parse("tables: {}").isEmpty)
        #expect(try Self.parse("tables:").isEmpty)
    }

    @Test(
        arguments: [
            ("", nil, "empty file"),
            ("tables: [", nil, "invalid YAML"),
            ("- a\n- b", nil, "expected a mapping"),
            ("routes: {}", "routes", "unknown key"),
            ("other: 1\ntables: {}", "other", "unknown key"),
            ("tables: [t1]", "tables", "expected a mapping"),
            ("tables:\n  t1: c1", "tables.t1", "expected a mapping"),
            ("tables:\n  t1: { meta_addrs: [\"h:1\"] }", "tables.t1", "missing key \"cluster\""),
            (
                "tables:\n  t2: { cluster: c2, meta_addrs: [\"h:1\", \"x:y\"] }", "tables.t2.meta_addrs[1]",
                "\"x:y\" is not host:port"
            ),
            ("tables:\n  t2: { cluster: c2, meta_addrs: \"h:1,x:y\" }", "tables.t2.meta_addrs[1]", "is not host:port"),
            ("tables:\n  t2: { cluster: c2, meta_addrs: [] }", "tables.t2.meta_addrs", "empty list"),
            ("tables:\n  t2: { cluster: c2, meta_addrs: [h:1], weight: 3 }", "tables.t2.weight", "unknown key"),
            (
                "tables:\n  t2: { cluster: c2, meta_addrs: [h:1], backups: [{ cluster: c2, meta_addrs: [h:2] }] }",
                "tables.t2.backups[0]", "is the primary cluster"
            ),
            (
                "tables:\n  t2: { cluster: c2, meta_addrs: [h:1], backups: [{ cluster: c3, meta_addrs: [h:2], zone: a }] }",
                "tables.t2.backups[0].zone", "unknown key"
            ),
            (
                "tables:\n  t1: { cluster: c1, meta_addrs: [h:1] }\n  t1: { cluster: c1, meta_addrs: [h:1] }", nil,
                "duplicate keys t1"
            ),
            ("tables:\n  \"a/b\": { cluster: c1, meta_addrs: [h:1] }", "tables.a/b", "table names"),
        ] as [(String, String?, String)]
    )
    func malformedFiles(yaml: String, keyPath: String?, reason: String) {
        let error = #expect(throws: RouteError.self) { try Self.parse(yaml) }
        #expect(error?.code == .malformed)
        #expect(error?.source == "routes.yaml")
        #expect(error?.keyPath == keyPath)
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
    }

    @Test func errorDescriptionNamesFileAndKeyPath() {
        let error = #expect(throws: RouteError.self) {
            try Self.parse(
                "tables:\n  t1: { cluster: c1, meta_addrs: [h:1] }\n  t2: { cluster: c2, meta_addrs: [h:2, \"x:y\"] }"
            )
        }
        #expect(error?.description.hasPrefix(#"routes.yaml: tables.t2.meta_addrs[1]: "x:y" is not host:port"#) == true)
    }

    @Test func invalidUTF8IsAnError() {
        let error = #expect(throws: RouteError.self) { try RouteFile.parse([0x74, 0xFF, 0xFE], file: "routes.yaml") }
        #expect(error?.code == .malformed)
    }
}

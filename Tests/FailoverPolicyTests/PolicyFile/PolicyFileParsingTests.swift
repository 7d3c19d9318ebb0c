import FailoverPolicy
import Testing

@Suite("Policy file parsing")
struct PolicyFileParsingTests {
    private func parse(_ yaml: String, file: String = "policies/fast.yaml") throws(PolicyError) -> PolicySpec {
        try Policy.parse(yaml: yaml, file: file, registry: .builtIn).spec
    }

    @Test("every key is read")
    func everyKey() throws {
        let spec = try parse(
            """
            name: fast-auto
            tables: ["t1", "orders_*"]
            kind: auto-failover-failback
            probe:    { interval: 1s, timeout: 500ms, fall: 4, rise: 5 }
            switch:   { min_down: 2s, cooldown: 30s, quorum: 2, replica_lease: 6s }
            failback: { after_healthy: 60s, require_reverse_duplication: false }
            guard:    { max_lag_decrees: 123, max_lag_age: 45s }
            """
        )
        #expect(spec.name == "fast-auto")
        #expect(spec.file == "policies/fast.yaml")
        #expect(spec.tables == ["t1", "orders_*"])
        #expect(spec.kind == "auto-failover-failback")
        #expect(spec.probe == ProbeSettings(interval: .seconds(1), timeout: .milliseconds(500), fall: 4, rise: 5))
        #expect(
            spec.switching
                == SwitchSettings(minDown: .seconds(2), cooldown: .seconds(30), quorum: .count(2), replicaLease: .seconds(6)))
        #expect(spec.failback == FailbackSettings(afterHealthy: .seconds(60), requireReverseDuplication: false))
        #expect(spec.lagGuard == GuardSettings(maxLagDecrees: 123, maxLagAge: .seconds(45)))
        #expect(spec.extra.isEmpty)
    }

    @Test("block style sections parse like flow style")
    func blockStyle() throws {
        let spec = try parse(
            """
            tables:
              - t1
            kind: auto-failover
            switch:
              cooldown: 1m30s   # comment
            """
        )
        #expect(spec.switching.cooldown == .seconds(90))
        #expect(spec.switching.minDown == .seconds(10))
    }

    @Test("defaults for every key but tables")
    func defaults() throws {
        let spec = try parse("tables: [\"*\"]", file: "policies/catch-all.yaml")
        #expect(spec.name == "catch-all")
        #expect(spec.kind == "manual")
        #expect(spec.probe == ProbeSettings(interval: .seconds(2), timeout: .seconds(1), fall: 3, rise: 3))
        #expect(spec.switching == SwitchSettings(minDown: .seconds(10), cooldown: .seconds(300)))
        #expect(spec.switching.quorum == .majority)
        #expect(spec.switching.replicaLease == .seconds(20))
        #expect(spec.failback == FailbackSettings(afterHealthy: .seconds(300), requireReverseDuplication: true))
        #expect(spec.lagGuard == GuardSettings(maxLagDecrees: 1000, maxLagAge: .seconds(60)))
    }

    @Test("the error names file and key path")
    func errorDescription() {
        let error = #expect(throws: PolicyError.self) {
            try parse("tables: [t1]\nkind: auto-failover\nswitch: { cooldown: 30x }")
        }
        #expect(error?.description.hasPrefix(#"policies/fast.yaml: switch.cooldown: "30x" is not a duration"#) == true)
        #expect(error?.file == "policies/fast.yaml")
        #expect(error?.keyPath == "switch.cooldown")
        #expect(error?.code == .invalidValue)
    }

    struct BadFile: Sendable, CustomTestStringConvertible {
        let yaml: String
        let code: PolicyError.Code
        let keyPath: String?
        let mentions: String
        var testDescription: String { "\(keyPath ?? "-"): \(mentions)" }
    }

    @Test(
        "invalid files",
        arguments: [
            BadFile(
                yaml: "tables: [t1]\nprobe: { fall: 0 }",
                code: .invalidValue,
                keyPath: "probe.fall",
                mentions: "less than 1"
            ),
            BadFile(
                yaml: "tables: [t1]\nprobe: { rise: 0 }",
                code: .invalidValue,
                keyPath: "probe.rise",
                mentions: "less than 1"
            ),
            BadFile(
                yaml: "tables: [t1]\nprobe: { interval: 1s, timeout: 2s }",
                code: .invalidValue,
                keyPath: "probe.timeout",
                mentions: "longer than probe.interval"
            ),
            BadFile(
                yaml: "tables: [t1]\nprobe: { interval: 0 }",
                code: .invalidValue,
                keyPath: "probe.interval",
                mentions: "greater than 0"
            ),
            BadFile(
                yaml: "tables: [t1]\nprobe: { fall: three }",
                code: .invalidValue,
                keyPath: "probe.fall",
                mentions: "not an integer"
            ),
            BadFile(
                yaml: "tables: [t1]\nprobe: { retries: 3 }",
                code: .unknownKey,
                keyPath: "probe.retries",
                mentions: "interval"
            ),
            BadFile(
                yaml: "tables: [t1]\nswitch: { min_down: 30 }",
                code: .invalidValue,
                keyPath: "switch.min_down",
                mentions: "add a unit"
            ),
            BadFile(yaml: "tables: [t1]\nswitch: 5s", code: .invalidValue, keyPath: "switch", mentions: "mapping"),
            BadFile(
                yaml: "tables: [t1]\nswitch: { quorum: most }",
                code: .invalidValue,
                keyPath: "switch.quorum",
                mentions: "neither majority nor an integer"
            ),
            BadFile(
                yaml: "tables: [t1]\nswitch: { quorum: 0 }",
                code: .invalidValue,
                keyPath: "switch.quorum",
                mentions: ">= 1"
            ),
            BadFile(
                yaml: "tables: [t1]\nswitch: { replica_lease: 20 }",
                code: .invalidValue,
                keyPath: "switch.replica_lease",
                mentions: "add a unit"
            ),
            BadFile(
                yaml: "tables: [t1]\nswitch: { replica_lease: -1s }",
                code: .invalidValue,
                keyPath: "switch.replica_lease",
                mentions: ""
            ),
            BadFile(
                yaml: "tables: [t1]\nguard: { max_lag_decrees: -1 }",
                code: .invalidValue,
                keyPath: "guard.max_lag_decrees",
                mentions: "negative"
            ),
            BadFile(
                yaml: "tables: [t1]\nguard: { max_lag_age: 0s }",
                code: .invalidValue,
                keyPath: "guard.max_lag_age",
                mentions: "greater than 0"
            ),
            BadFile(yaml: "tables: [t1]\ncolour: red", code: .unknownKey, keyPath: "colour", mentions: "tables"),
            BadFile(
                yaml: "tables: [t1]\nkind: auto-failover\nfailback: { after_healthy: 1m }",
                code: .unknownKey,
                keyPath: "failback",
                mentions: "accepted here"
            ),
            BadFile(
                yaml: "tables: [t1]\nkind: auto-failover-failback\nfailback: { require_reverse_duplication: yes }",
                code: .invalidValue,
                keyPath: "failback.require_reverse_duplication",
                mentions: "true or false"
            ),
            BadFile(
                yaml: "tables: [t1]\nkind: yolo",
                code: .unknownKind,
                keyPath: "kind",
                mentions: "auto-failover-failback"
            ),
            BadFile(yaml: "kind: manual", code: .missingKey, keyPath: "tables", mentions: "required"),
            BadFile(yaml: "tables: t1", code: .invalidValue, keyPath: "tables", mentions: "list"),
            BadFile(yaml: "tables: []", code: .invalidValue, keyPath: "tables", mentions: "at least one"),
            BadFile(yaml: "tables: [{a: b}]", code: .invalidValue, keyPath: "tables[0]", mentions: "string"),
            BadFile(yaml: "tables: [t1, t1]", code: .invalidValue, keyPath: "tables[1]", mentions: "listed twice"),
            BadFile(yaml: "tables: ['']", code: .invalidValue, keyPath: "tables[0]", mentions: "empty"),
            BadFile(yaml: "tables: [t1]\nname: ''", code: .invalidValue, keyPath: "name", mentions: "empty"),
            BadFile(yaml: "- tables", code: .invalidValue, keyPath: nil, mentions: "mapping"),
            BadFile(yaml: "", code: .invalidYAML, keyPath: nil, mentions: "empty"),
            BadFile(yaml: "# only a comment\n", code: .invalidYAML, keyPath: nil, mentions: "empty"),
            BadFile(yaml: "tables: [t1\nkind: manual", code: .invalidYAML, keyPath: nil, mentions: ""),
            BadFile(yaml: "tables: [t1]\ntables: [t2]", code: .invalidYAML, keyPath: nil, mentions: "tables"),
        ]
    )
    func invalid(bad: BadFile) {
        let error = #expect(throws: PolicyError.self) {
            try parse(bad.yaml)
        }
        #expect(error?.code == bad.code)
        #expect(error?.file == "policies/fast.yaml")
        #expect(error?.keyPath == bad.keyPath)
        #expect(error?.message.contains(bad.mentions) == true, "\(String(describing: error))")
    }
}

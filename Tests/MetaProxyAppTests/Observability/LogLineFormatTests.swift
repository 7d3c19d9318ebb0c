import Foundation
import Logging
import Testing

@testable import MetaProxyApp

/// Text and JSON log lines (`log.format`).
@Suite("Log line format")
struct LogLineFormatTests {
    static let date = Date(timeIntervalSince1970: 1_767_322_445.678_9)

    @Test(
        "values are quoted only when needed, with quotes, backslashes and control characters escaped",
        arguments: [
            ("orders", "orders"),
            ("127.0.0.1:34601", "127.0.0.1:34601"),
            ("", #""""#),
            ("primary demo-a down for 2.048s (min_down 2s); …", #""primary demo-a down for 2.048s (min_down 2s); …""#),
            (#"say "hi""#, #""say \"hi\"""#),
            ("a=b", #""a=b""#),
            (#"back\slash"#, #""back\\slash""#),
            ("two\nlines\ttab", #""two\nlines\ttab""#),
            ("bell\u{7}", #""bell\u{7}""#),
        ]
    )
    func quoting(value: String, expected: String) {
        #expect(LogLineFormat.quoted(value) == expected)
    }

    @Test("a text line: millisecond UTC timestamp, level, label, sorted metadata, module, message")
    func textLine() {
        let line = LogLineFormat.line(
            .text, date: Self.date, level: .notice, label: "meta-proxy", source: "FailoverControl",
            message: "Failover: switched to a backup",
            metadata: ["failover.reason": "primary a down for 2s", "metaproxy.table": "orders"])
        #expect(
            line == #"2026-01-02T02:54:05.678Z notice meta-proxy : failover.reason="primary a down for 2s" "#
                + #"metaproxy.table=orders [FailoverControl] Failover: switched to a backup"#)
    }

    @Test("a text line without metadata, and a message with a newline stays one line")
    func textWithoutMetadata() {
        let line = LogLineFormat.line(
            .text, date: Self.date, level: .info, label: "l", source: "M", message: "a\nb", metadata: [:])
        #expect(line == #"2026-01-02T02:54:05.678Z info l : [M] a\nb"#)
    }

    @Test("a JSON line: the fixed fields, each metadata key as a field, nested values, reserved keys renamed")
    func jsonLine() throws {
        let line = LogLineFormat.line(
            .json, date: Self.date, level: .warning, label: "meta-proxy", source: "Router", message: "route /a/b",
            metadata: [
                "zk.path": "/pegasus/t1", "message": "clash", "list": ["a", "b"], "dict": ["k": "v"],
                "count": .stringConvertible(3),
            ])
        #expect(!line.contains("\n") && !line.contains(#"\/"#))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["timestamp"] as? String == "2026-01-02T02:54:05.678Z")
        #expect(object["level"] as? String == "warning")
        #expect(object["label"] as? String == "meta-proxy")
        #expect(object["source"] as? String == "Router")
        #expect(object["message"] as? String == "route /a/b")
        #expect(object["metadata.message"] as? String == "clash")
        #expect(object["zk.path"] as? String == "/pegasus/t1")
        #expect(object["list"] as? [String] == ["a", "b"])
        #expect(object["dict"] as? [String: String] == ["k": "v"])
        #expect(object["count"] as? String == "3")
    }

    @Test("log.format: text or json; anything else names the key and the file")
    func configurationKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("logfmt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.yaml").path
        try "routes_file: r.yaml\nlog: { format: json }\n".write(toFile: good, atomically: true, encoding: .utf8)
        try "tables: {}\n".write(toFile: directory.appendingPathComponent("r.yaml").path, atomically: true, encoding: .utf8)
        #expect(try ProxyConfiguration.load(file: good).log.format == .json)
        #expect(ProxyConfiguration().log.format == .text)
        let bad = directory.appendingPathComponent("bad.yaml").path
        try "routes_file: r.yaml\nlog: { format: xml }\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigError.self) { try ProxyConfiguration.load(file: bad) }
        #expect(error?.description.contains("log.format") == true && error?.description.contains("bad.yaml") == true)
    }
}

import Foundation
import Testing

@testable import FailoverControl

@Suite("InstanceRecord: the JSON an instance publishes about itself")
struct InstanceRecordTests {
    static let record = InstanceRecord(
        instance: "proxy-1",
        host: "host-a",
        pid: 4242,
        admin: nil,
        listen: "0.0.0.0:34601",
        startedAt: Date(timeIntervalSince1970: 1_767_323_045.678),
        routeSource: .zookeeper,
        decider: true,
        writtenAt: Date(timeIntervalSince1970: 1_767_323_100.005),
        clusters: [
            "pegasus-a": .init(state: .down, stateForMs: 12_000, lastAliveMsAgo: 15_500),
            "pegasus-b": .init(state: .up, stateForMs: 60_000, lastAliveMsAgo: 0),
            "pegasus-c": .init(state: .unknown, stateForMs: 10, lastAliveMsAgo: nil),
        ],
        routes: ["orders": .init(cluster: "pegasus-b", version: 3), "users": .init(cluster: "pegasus-a", version: -1)]
    )

    @Test("encodes snake_case keys, sorted, explicit nulls, unescaped slashes, dates with milliseconds")
    func encodes() throws {
        var record = Self.record
        record.listen = "unix:/run/proxy.sock"
        let text = String(decoding: try record.jsonBytes(), as: UTF8.self)
        #expect(text.hasPrefix(#"{"admin":null,"clusters":{"pegasus-a":{"last_alive_ms_ago":15500,"state":"down","state_for_ms":12000}"#))
        #expect(text.contains(#""pegasus-c":{"last_alive_ms_ago":null,"state":"unknown","state_for_ms":10}"#))
        #expect(text.contains(#""decider":true,"host":"host-a","instance":"proxy-1","listen":"unix:/run/proxy.sock""#))
        #expect(text.contains(#""pid":4242,"route_source":"zookeeper""#))
        #expect(text.contains(#""routes":{"orders":{"cluster":"pegasus-b","version":3},"users":{"cluster":"pegasus-a","version":-1}}"#))
        #expect(text.contains(#""started_at":"2026-01-02T03:04:05.678Z""#))
        #expect(text.contains(#""version":"unknown","written_at":"2026-01-02T03:05:00.005Z"}"#))
    }

    @Test("decodes what it encodes")
    func roundTrip() throws {
        var record = Self.record
        record.admin = "127.0.0.1:9100"
        record.routeSource = .file
        let decoded = try InstanceRecord.decode(try record.jsonBytes(), path: "/p")
        #expect(try decoded.jsonBytes() == record.jsonBytes())
        #expect(decoded.routes == record.routes && decoded.clusters == record.clusters)
        #expect(abs(decoded.startedAt.timeIntervalSince(record.startedAt)) < 0.001)
    }

    @Test("decodes absent optional keys and ignores unknown ones")
    func lenientDecode() throws {
        let json = #"""
            {"instance":"i","host":"h","pid":1,"listen":":1","version":"1.2","started_at":"2026-01-02T03:04:05Z",
             "route_source":"file","decider":false,"written_at":"2026-01-02T03:04:06.5Z","future":1,
             "clusters":{"a":{"state":"up","state_for_ms":5}},"routes":{}}
            """#
        let record = try InstanceRecord.decode(Array(json.utf8), path: "/p")
        #expect(record.admin == nil)
        #expect(record.clusters["a"] == .init(state: .up, stateForMs: 5, lastAliveMsAgo: nil))
        #expect(record.writtenAt == Date(timeIntervalSince1970: 1_767_323_046.5))
    }

    @Test("a malformed record is a typed error naming the path")
    func malformed() {
        let bad = #"{"instance":"i","route_source":"floppy"}"#
        #expect(throws: InstanceRecordError.self) { try InstanceRecord.decode(Array(bad.utf8), path: "/r/.meta-proxy/instances/i") }
        do throws(InstanceRecordError) {
            _ = try InstanceRecord.decode(Array("{}".utf8), path: "/r/.meta-proxy/instances/i")
            Issue.record("decoded {}")
        } catch {
            #expect(error.subject == "/r/.meta-proxy/instances/i")
        }
    }

    @Test("paths: <root>/.meta-proxy/instances/<id>")
    func paths() {
        #expect(FailoverPaths(root: "/pegasus/").instance("proxy-1") == "/pegasus/.meta-proxy/instances/proxy-1")
        #expect(FailoverPaths(root: "/").instances == "/.meta-proxy/instances")
    }
}

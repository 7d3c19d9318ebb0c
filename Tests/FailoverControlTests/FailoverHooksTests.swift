@testable import FailoverControl
import FailoverPolicy
import Foundation
import Logging
import MetricsTestKit
import TestSupport
import Testing

@Suite("Failover hooks: exec with the event on stdin, timeout kill, bounded queue", .timeLimit(.minutes(1)))
struct FailoverHooksTests {
    private static let logger = Logger(label: "failover-hooks-test")

    private static func event(_ table: String = "t1") -> FailoverHookEvent {
        FailoverHookEvent(
            event: .switchTo, table: table, from: "A", to: "B",
            reason: DecisionReason(DecisionReason.Code(rawValue: "effective_down"), "A down for 10s"),
            lagDecrees: 3, policy: "fast", policyHash: "fnv1a:0000000000000001", decidedBy: "proxy-1", time: Date())
    }

    /// A shell script in a fresh directory; returns its path and the directory.
    private static func script(_ body: String) throws -> (path: String, directory: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("hook.sh").path
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return (path, directory)
    }

    private static func calls(_ metrics: TestMetrics, _ hook: String, _ result: String) -> Int64 {
        (try? metrics.expectCounter("metaproxy_failover_hook_calls_total", [("hook", hook), ("result", result)]).totalValue)
            ?? 0
    }

    @Test("the exec hook gets the event JSON on stdin and META_PROXY_HOOK_* variables")
    func execReceivesPayload() async throws {
        let (path, directory) = try Self.script(
            "cat >> \"$(dirname \"$0\")/events.jsonl\"; echo >> \"$(dirname \"$0\")/events.jsonl\"; "
                + "echo \"$META_PROXY_HOOK_EVENT $META_PROXY_HOOK_TABLE $META_PROXY_HOOK_TO\" >> \"$(dirname \"$0\")/env.txt\"")
        defer { try? FileManager.default.removeItem(at: directory) }
        let metrics = TestMetrics()
        let hooks = FailoverHooks(settings: FailoverHookSettings(exec: path), http: nil, metricsFactory: metrics, logger: Self.logger)
        let runner = Task { await hooks.run() }
        hooks.notify(Self.event("t1"))
        hooks.notify(Self.event("t2"))
        let output = directory.appendingPathComponent("events.jsonl").path
        #expect(await eventually { Self.calls(metrics, "exec", "ok") == 2 })
        runner.cancel()
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["table"] as? String == "t1" && first?["event"] as? String == "switch")
        #expect(first?["from"] as? String == "A" && first?["to"] as? String == "B" && first?["lag_decrees"] as? Int == 3)
        #expect((first?["reason"] as? [String: Any])?["code"] as? String == "effective_down")
        #expect(first?["policy"] as? String == "fast" && first?["decided_by"] as? String == "proxy-1")
        #expect(first?["policy_hash"] as? String == "fnv1a:0000000000000001" && first?["time"] is String)
        let env = try String(contentsOfFile: directory.appendingPathComponent("env.txt").path, encoding: .utf8)
        #expect(env.hasPrefix("switch t1 B\n"))
    }

    @Test("a hook that hangs is killed after its timeout and counted; a failing one is counted as failed")
    func hangingAndFailing() async throws {
        let (hang, directory) = try Self.script("echo $$ > \"$(dirname \"$0\")/pid\"; exec sleep 60")
        defer { try? FileManager.default.removeItem(at: directory) }
        let metrics = TestMetrics()
        let hooks = FailoverHooks(
            settings: FailoverHookSettings(exec: hang, timeout: .milliseconds(300)), http: nil, metricsFactory: metrics,
            logger: Self.logger)
        let started = ContinuousClock.now
        await hooks.deliver(Self.event())
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(Self.calls(metrics, "exec", "timeout") == 1)
        let pid = try #require(Int32(try String(contentsOfFile: directory.appendingPathComponent("pid").path, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) != 0)  // gone (killed and reaped)

        let (fail, failDirectory) = try Self.script("exit 3")
        defer { try? FileManager.default.removeItem(at: failDirectory) }
        let failing = FailoverHooks(settings: FailoverHookSettings(exec: fail), http: nil, metricsFactory: metrics, logger: Self.logger)
        await failing.deliver(Self.event())
        #expect(Self.calls(metrics, "exec", "failed") == 1)
    }

    @Test("notify never waits: events beyond the queue capacity are dropped and counted")
    func boundedQueue() async throws {
        let metrics = TestMetrics()
        let hooks = FailoverHooks(
            settings: FailoverHookSettings(exec: "/bin/true", queueCapacity: 2), http: nil, metricsFactory: metrics,
            logger: Self.logger)
        for index in 0..<5 {
            hooks.notify(Self.event("t\(index)"))  // nothing consumes yet
        }
        #expect(try metrics.expectCounter("metaproxy_failover_hook_dropped_total").totalValue == 3)
        let runner = Task { await hooks.run() }
        #expect(await eventually { Self.calls(metrics, "exec", "ok") == 2 })
        runner.cancel()
    }
}

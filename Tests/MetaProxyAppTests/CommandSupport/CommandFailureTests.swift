import FailoverControl
import Foundation
import NIOCore
import PegasusWire
import RouteModel
import Router
import Testing
import ZooKeeper

@testable import MetaProxyApp

/// Exit statuses, one-line messages and JSON errors of the operator commands.
@Suite("Command failures")
struct CommandFailureTests {
    @Test("each kind of failure has its documented exit status")
    func exitStatuses() {
        let cases: [(any Error, CommandFailure.Kind, Int32)] = [
            (CommandError("x", kind: .unavailable), .unavailable, 69),
            (CommandError("x"), .failed, 1),
            (RouteError(code: .unknownTable, table: "t", source: "/r/t", reason: "no route node"), .notFound, 66),
            (RouteError(code: .sourceUnavailable, table: "t", source: "/r/t", reason: "down"), .unavailable, 69),
            (RouteError(code: .malformed, table: "t", source: "/r/t", reason: "bad"), .invalidInput, 65),
            (FailoverAdminError(.refused, table: "t", message: "guard"), .refused, 75),
            (FailoverAdminError(.unknownTable, table: "t", message: "none"), .notFound, 66),
            (FailoverAdminError(.conflict, table: "t", message: "changed"), .conflict, 75),
            (FailoverAdminError(.metaRPC, table: "t", message: "rpc"), .unavailable, 69),
            (UpstreamError(.allMetasFailed, cluster: "", detail: "x"), .unavailable, 69),
            (IOError(errnoCode: ECONNREFUSED, reason: "connect"), .failed, 1),
        ]
        for (error, kind, status) in cases {
            let failure = CommandFailure.classify(error)
            #expect(failure.kind == kind, "\(error)")
            #expect(failure.exitStatus == status, "\(error)")
        }
    }

    @Test("a table name that cannot be a route is invalid input, found before anything is contacted")
    func invalidRoute() {
        #expect(!RouteAdmin.isValidTableName("") && !RouteAdmin.isValidTableName("bad/name"))
        let backupIsPrimary = Route(
            table: "t1", primary: ClusterRoute(name: "a", metas: [Endpoint(literalHost: "127.0.0.1", port: 1)]),
            backups: [ClusterRoute(name: "a", metas: [Endpoint(literalHost: "127.0.0.2", port: 1)])])
        let error = #expect(throws: (any Error).self) { try RouteAdmin.validate(backupIsPrimary) }
        let failure = error.map(CommandFailure.classify)
        #expect(failure?.kind == .invalidInput)
        #expect(failure?.message.contains("is the primary cluster") == true)
        let badName = Route(table: "bad/name", primary: ClusterRoute(name: "a", metas: [Endpoint(literalHost: "h", port: 1)]))
        #expect(throws: RouteAdmin.Failure.self) { try RouteAdmin.validate(badName) }
    }

    @Test("connection errors read as the address and the OS error, on one line")
    func connectionText() {
        #expect(ConnectionErrorText.describe(anyConnectionError: IOError(errnoCode: ECONNREFUSED, reason: "connect"))
            == "Connection refused (errno 111)")
        let upstream = UpstreamError(.connectFailed, cluster: "", meta: "127.0.0.1:1", detail: "Connection refused (errno 111)")
        #expect(upstream.description == "cannot connect to 127.0.0.1:1: Connection refused (errno 111)")
        let all = UpstreamError(.allMetasFailed, cluster: "", detail: upstream.description)
        #expect(CommandFailure.describe(all) == "no MetaServer answered: cannot connect to 127.0.0.1:1: Connection refused (errno 111)")
        #expect(UpstreamError.Code.connectFailed.metricLabel == "connect_failed")
        #expect(UpstreamError.Code.foreignLeaderHint.metricLabel == "leader_hint_outside_cluster")
        #expect(CommandFailure(kind: .failed, message: "one\n  two").message == "one two")
    }

    @Test("the JSON error: one line, code, exit status and message, slashes as they are")
    func jsonError() throws {
        let failure = CommandFailure(kind: .notFound, message: "/pegasus/t1: no route node")
        #expect(!failure.json.contains("\n") && !failure.json.contains(#"\/"#))
        let object = try #require(JSONSerialization.jsonObject(with: Data(failure.json.utf8)) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["code"] as? String == "not_found")
        #expect(error["exit_status"] as? Int == 66)
        #expect(error["message"] as? String == "/pegasus/t1: no route node")
    }
}

/// ZooKeeper errors in one line.
@Suite("Command failures: ZooKeeper")
struct CommandFailureZooKeeperTests {
    @Test("detail, code name and node, not the struct dump")
    func zooKeeperText() {
        let timeout = ZooKeeperError(.operationTimeout, detail: "no session with 127.0.0.1:1 within 1.0 seconds")
        #expect(CommandFailure.describe(timeout) == "no session with 127.0.0.1:1 within 1.0 seconds (operation timeout)")
        let denied = CommandFailure.classify(ZooKeeperError(.noAuth, path: "/p/t1"))
        #expect(denied.kind == .permissionDenied && denied.exitStatus == 77)
        #expect(denied.message.hasPrefix("ZooKeeper: ") && denied.message.hasSuffix(", node /p/t1"))
        #expect(!denied.message.contains("ZooKeeperError("))
    }
}

import FailoverPolicy
import Foundation
import NIOCore
import PegasusWire

extension FailoverAdmin {
    /// The app env that blocks client requests on a replica (`src/replica/replica.cpp`).
    static let denyClientRequest = "replica.deny_client_request"

    /// A zero-loss switchover while the primary is alive, automating the steps of Pegasus' table
    /// migrator: (1) the duplication to `target` must ship mutations (`DS_LOG`); (2) block writes
    /// on the primary (`replica.deny_client_request = timeout*write`); (3) wait until every
    /// partition's confirmed decree reaches its last committed decree; (4) switch the effective
    /// route (mode `planned`); (5) make the old primary answer `ERR_INVALID_STATE`
    /// (`reconfig*all`) so clients re-query config at once. A failure in (2)-(4) removes the env
    /// again and rethrows, naming the step.
    /// - Parameters:
    ///   - upstreams: the MetaServer client for the RPCs to the primary.
    ///   - maxWait: how long step 3 may take.
    ///   - progress: told about each step, for the operator.
    public func plannedSwitch(
        _ table: String, to target: String, upstreams: UpstreamPool, maxWait: Duration, by: String,
        historyLimit: Int = EffectiveRoute.defaultHistoryLimit, progress: @Sendable (String) -> Void = { _ in }
    ) async throws -> SwitchOutcome {
        let current = try await status(of: table)
        let route = current.route
        guard current.activeCluster == route.primary.name else {
            throw Failure("\(table) is served by \(current.activeCluster), not its primary: a planned switch starts on the primary")
        }
        guard route.backups.contains(where: { $0.name == target }) else {
            throw Failure("\(target) is not a backup of \(table) (backups: \(route.backups.map(\.name).joined(separator: ", ")))")
        }
        let meta = MetaRPC(upstreams: upstreams, cluster: route.primary)

        progress("1/5 checking the duplication \(route.primary.name) → \(target)")
        guard let entry = try await meta.duplication(of: table, to: target), entry.status == .log else {
            throw Failure("step 1: the duplication of \(table) to \(target) is missing or not DS_LOG")
        }

        progress("2/5 blocking writes on \(route.primary.name): \(Self.denyClientRequest)=timeout*write")
        try await meta.setEnv(table, Self.denyClientRequest, "timeout*write")
        do {
            progress("3/5 waiting for the duplication to ship every write (at most \(maxWait))")
            try await meta.waitUntilDrained(table, to: target, maxWait: maxWait)

            progress("4/5 switching the effective route to \(target)")
            let outcome = try await writePlanned(current, to: target, by: by, historyLimit: historyLimit)

            progress("5/5 making clients of \(route.primary.name) re-query: \(Self.denyClientRequest)=reconfig*all")
            try await meta.setEnv(table, Self.denyClientRequest, "reconfig*all")
            return outcome
        } catch {
            progress("rolling back: removing \(Self.denyClientRequest) on \(route.primary.name)")
            try? await meta.deleteEnv(table, Self.denyClientRequest)
            throw error
        }
    }

    private func writePlanned(_ current: TableStatus, to target: String, by: String, historyLimit: Int) async throws
        -> SwitchOutcome
    {
        let now = Date()
        let input = DecisionInput(
            table: current.route.table, primary: current.route.primary.name, backups: current.route.backups.map(\.name),
            health: [:], duplications: [:], reverseDuplications: [:],
            current: current.effective?.effectiveState(primary: current.route.primary.name) ?? .initial,
            tablePaused: current.effective?.paused ?? false, globallyPaused: false, now: now)
        let reason = DecisionReason(
            .operatorRequest, "planned switchover: writes blocked on \(current.route.primary.name), duplication drained")
        guard
            let record = DecisionRecord(
                decision: .switchTo(cluster: target, reason: reason), input: input, decidedBy: by, trigger: .planned)
        else { throw Failure("step 4: nothing to switch") }
        var document =
            current.effective
            ?? EffectiveRoute(
                table: current.route.table, activeCluster: current.route.primary.name, reason: reason, since: now,
                decidedBy: by, mode: .primary)
        document.apply(record, mode: .planned, historyLimit: historyLimit)
        try await write(document, version: current.version)
        return SwitchOutcome(from: current.route.primary.name, document: document, record: record)
    }
}

/// Meta RPCs a planned switchover sends to the primary cluster's leader.
private struct MetaRPC {
    let upstreams: UpstreamPool
    let cluster: ClusterRoute

    func call<Request: ThriftEncodable, Response: ThriftDecodable>(
        _ name: String, _ request: Request, _: Response.Type
    ) async throws -> Response {
        let args = RequestFrame.make(header: RequestHeader(), name: name, seqid: 0, args: request).args
        let reply = try await upstreams.query(
            cluster: cluster, name: name, args: args, timeout: .seconds(5), followsForwards: false)
        guard reply.errorName == ErrorCode.ok.name else {
            throw FailoverAdmin.Failure("\(name) on \(cluster.name): \(reply.errorName)")
        }
        return try reply.decodeResult(Response.self)
    }

    func duplication(of table: String, to target: String) async throws -> DuplicationEntry? {
        let response = try await call(
            RpcName.queryDuplication, DuplicationQueryRequest(appName: table), DuplicationQueryResponse.self)
        guard response.err == .ok else {
            throw FailoverAdmin.Failure("query duplication of \(table) on \(cluster.name): \(response.err)")
        }
        return response.entries.first { $0.remote == target }
    }

    func setEnv(_ table: String, _ key: String, _ value: String) async throws {
        try await update(UpdateAppEnvRequest(appName: table, operation: .set, keys: [key], values: [value]))
    }

    func deleteEnv(_ table: String, _ key: String) async throws {
        try await update(UpdateAppEnvRequest(appName: table, operation: .delete, keys: [key]))
    }

    private func update(_ request: UpdateAppEnvRequest) async throws {
        let response = try await call(RpcName.updateAppEnv, request, UpdateAppEnvResponse.self)
        guard response.err == .ok else {
            throw FailoverAdmin.Failure("update app env of \(request.appName) on \(cluster.name): \(response.err) \(response.hintMessage)")
        }
    }

    /// Polls until every partition's confirmed decree equals its last committed decree.
    func waitUntilDrained(_ table: String, to target: String, maxWait: Duration) async throws {
        let deadline = ContinuousClock.now + maxWait
        while true {
            guard let entry = try await duplication(of: table, to: target) else {
                throw FailoverAdmin.Failure("step 3: the duplication to \(target) disappeared")
            }
            guard let states = entry.partitionStates else {
                throw FailoverAdmin.Failure(
                    "step 3: \(cluster.name) reports no per-partition duplication progress (Pegasus 2.5 and older); "
                        + "drain by hand and use `failover switch`")
            }
            let pending = states.values.filter {
                $0.confirmedDecree < 0 || $0.lastCommittedDecree < 0 || $0.confirmedDecree < $0.lastCommittedDecree
            }
            if pending.isEmpty { return }
            guard ContinuousClock.now < deadline else {
                throw FailoverAdmin.Failure("step 3: \(pending.count) partitions still not shipped after \(maxWait)")
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}

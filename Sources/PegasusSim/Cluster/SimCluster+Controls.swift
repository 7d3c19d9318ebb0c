import NIOCore
import PegasusWire
import Synchronization

/// Control calls: they change what the nodes answer from the next request on.
extension SimCluster {
    /// Elects MetaServer `index` as leader; `nil` = no leader (followers then know none).
    /// - Throws: `.indexOutOfRange`.
    public func setLeader(_ index: Int?) throws(SimError) {
        try core.state.withLock { state throws(SimError) in try state.setLeader(index) }
    }

    /// Kills MetaServer `index`: closes its listener and its open connections; new connections are
    /// refused. While the leader is dead, followers know no leader.
    /// - Throws: `.indexOutOfRange`.
    public func killMeta(_ index: Int) async throws(SimError) {
        try await run(try killMetaFuture(index))
    }

    /// Revives MetaServer `index` on its port.
    /// - Throws: `.indexOutOfRange`, `.bindFailed`.
    public func reviveMeta(_ index: Int) async throws(SimError) {
        try await run(try reviveMetaFuture(index))
    }

    /// Kills every MetaServer and ReplicaServer: the whole cluster is dead.
    public func killAll() async {
        _ = try? await close(allNodes).get()
    }

    /// Revives every MetaServer and ReplicaServer.
    /// - Throws: `.bindFailed`.
    public func reviveAll() async throws(SimError) {
        try await run(open(allNodes))
    }

    /// Adds `latency` before every RPC and HTTP reply of MetaServer `meta`, or of all when `nil`.
    /// - Throws: `.indexOutOfRange`, `.invalidArgument` for a negative latency.
    public func setLatency(_ latency: Duration, meta: Int? = nil) throws(SimError) {
        try core.state.withLock { state throws(SimError) in try state.setLatency(TimeAmount(latency), meta: meta) }
    }

    /// Makes MetaServer `index` hang: it accepts connections and reads requests but never answers.
    /// - Throws: `.indexOutOfRange`.
    public func hangMeta(_ index: Int) throws(SimError) {
        try core.state.withLock { state throws(SimError) in try state.setHung(true, meta: index) }
    }

    /// Makes MetaServer `index` answer again (requests received while hung stay unanswered).
    /// - Throws: `.indexOutOfRange`.
    public func unhangMeta(_ index: Int) throws(SimError) {
        try core.state.withLock { state throws(SimError) in try state.setHung(false, meta: index) }
    }

    /// Makes the cluster name MetaServer `index` by `address` in leader hints, redirects and cluster
    /// info (a relay in front of it), or by where it listens again when `nil`.
    /// - Parameter address: `host:port` as ``Endpoint/init(parsing:allowsPortZero:)`` reads it (an IPv6 host in
    ///   brackets); `nil` or empty restores the listening address.
    /// - Throws: `.invalidArgument` for an address that is not `host:port`, `.indexOutOfRange`.
    public func advertiseMeta(_ index: Int, as address: String?) throws(SimError) {
        var advertised: Endpoint?
        if let address, !address.isEmpty {
            do {
                advertised = try Endpoint(parsing: address)
            } catch {
                throw SimError(.invalidArgument, subject: "address", detail: "\"\(address)\" is not host:port")
            }
        }
        try core.state.withLock { state throws(SimError) in try state.setAdvertised(advertised, meta: index) }
    }

    /// Leaves a partition without primary (`primary` = 0, `hp_primary` unset); bumps its ballot.
    /// - Throws: `.unknownTable`, `.indexOutOfRange`.
    public func removePrimary(table: String, partition: Int) throws(SimError) {
        try core.state.withLock { state throws(SimError) in
            try state.setPrimaryPresent(false, table: table, partition: partition)
        }
    }

    /// Gives a partition its assigned primary back; bumps its ballot.
    /// - Throws: `.unknownTable`, `.indexOutOfRange`.
    public func restorePrimary(table: String, partition: Int) throws(SimError) {
        try core.state.withLock { state throws(SimError) in
            try state.setPrimaryPresent(true, table: table, partition: partition)
        }
    }

    /// Sets one app env of `table` (an empty value deletes it), validated as the leader validates it.
    /// - Throws: `.unknownTable`, `.invalidArgument` for a value Pegasus rejects.
    public func setAppEnv(table: String, key: String, value: String) throws(SimError) {
        try core.state.withLock { state throws(SimError) in try state.setAppEnv(table: table, key: key, value: value) }
    }

    /// Drops `table` (the simulated `drop_app` finished): requests for it get Pegasus's not-found errors.
    /// - Throws: `.unknownTable`.
    public func dropTable(_ table: String) throws(SimError) {
        try core.state.withLock { state throws(SimError) in try state.dropTable(table) }
    }

    /// Adds the duplication of `table` to `spec.remote`, or replaces the existing one (keeping its dupid).
    /// - Throws: `.unknownTable`, `.invalidArgument` for an empty remote.
    public func setDuplication(table: String, _ spec: SimDuplicationSpec) throws(SimError) {
        let now = SimClock.unixSeconds()
        try core.state.withLock { state throws(SimError) in try state.setDuplication(table: table, spec, now: now) }
    }

    /// Removes the duplication of `table` to `remote`.
    /// - Throws: `.unknownTable`, `.invalidArgument` when there is none.
    public func removeDuplication(table: String, remote: String) throws(SimError) {
        try core.state.withLock { state throws(SimError) in try state.removeDuplication(table: table, remote: remote) }
    }

    /// Moves the confirmed decrees of `table`'s duplications (to `remote`, or all) forward by
    /// `count` per partition, or up to the last committed decrees when `count` is `nil`.
    /// - Throws: `.unknownTable`, `.invalidArgument` when there is no such duplication.
    public func advanceDuplication(table: String, remote: String? = nil, by count: Int64? = nil) throws(SimError) {
        try core.state.withLock { state throws(SimError) in
            try state.advanceDuplication(table: table, remote: remote, by: count)
        }
    }

    /// Simulates write load: bumps the last committed decree of every partition of `table` by `count`.
    /// - Throws: `.unknownTable`, `.invalidArgument` for a negative count.
    public func write(table: String, count: Int64 = 1) throws(SimError) {
        try core.state.withLock { state throws(SimError) in try state.write(table: table, count: count) }
    }

    /// Every node's state and counters.
    public func stats() -> SimStats {
        core.state.withLock { $0.stats }
    }

    /// Zeroes every node's counters.
    public func resetStats() {
        core.state.withLock { $0.resetStats() }
    }

    /// What the leader would answer to a query-config request for `table` right now (all
    /// partitions), whether or not a leader is elected.
    public func queryConfiguration(table: String) -> QueryConfigResponse {
        core.state.withLock { $0.queryConfigResponse(QueryConfigRequest(appName: table)) }
    }

    /// What the leader would answer to a duplication query for `table` right now.
    public func duplications(table: String) -> DuplicationQueryResponse {
        core.state.withLock { $0.duplicationQueryResponse(DuplicationQueryRequest(appName: table)) }
    }

    /// The app envs of `table` (`app_info.envs`), as `RPC_CM_UPDATE_APP_ENV` left them; empty for an
    /// unknown table.
    public func appEnvs(table: String) -> [String: String] {
        core.state.withLock { state in state.tableIndex(named: table).map { state.tables[$0].envs } ?? [:] }
    }

    // MARK: Future-based forms, for the control server

    func killMetaFuture(_ index: Int) throws(SimError) -> EventLoopFuture<Void> {
        try core.state.withLock { state throws(SimError) in try state.checkMeta(index) }
        return close([SimNodeID(role: .meta, index: index)])
    }

    func reviveMetaFuture(_ index: Int) throws(SimError) -> EventLoopFuture<Void> {
        try core.state.withLock { state throws(SimError) in try state.checkMeta(index) }
        return open([SimNodeID(role: .meta, index: index)])
    }

    private func run(_ future: EventLoopFuture<Void>) async throws(SimError) {
        do {
            try await future.get()
        } catch {
            throw error as? SimError ?? SimError(.bindFailed, subject: configuration.name, detail: "\(error)")
        }
    }
}

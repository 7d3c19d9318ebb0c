import NIOCore
import PegasusWire

/// Control calls: leadership, failures, duplication and write load.
extension SimClusterState {
    /// Checks that `index` names a MetaServer.
    func checkMeta(_ index: Int) throws(SimError) {
        guard metas.indices.contains(index) else {
            throw SimError(
                .indexOutOfRange, subject: "meta[\(index)]", detail: "the cluster has \(metas.count) MetaServers")
        }
    }

    /// The index of the table named `name`.
    /// - Throws: `.unknownTable`.
    func requireTable(_ name: String) throws(SimError) -> Int {
        guard let index = tableIndex(named: name) else {
            throw SimError(.unknownTable, subject: name, detail: "no such table in cluster \(configuration.name)")
        }
        return index
    }

    /// Checks that `partition` is a partition index of table `tableIndex`.
    func checkPartition(_ tableIndex: Int, _ partition: Int) throws(SimError) {
        let table = tables[tableIndex]
        guard table.partitions.indices.contains(partition) else {
            throw SimError(
                .indexOutOfRange,
                subject: "\(table.name)[\(partition)]",
                detail: "the table has \(table.partitions.count) partitions"
            )
        }
    }

    /// Makes `index` the leader; `nil` = no leader.
    mutating func setLeader(_ index: Int?) throws(SimError) {
        if let index {
            try checkMeta(index)
        }
        leaderIndex = index
    }

    /// Makes MetaServer `index` hang (read, never answer) or answer again.
    mutating func setHung(_ hung: Bool, meta index: Int) throws(SimError) {
        try checkMeta(index)
        metas[index].hung = hung
    }

    /// Makes the cluster name MetaServer `index` by `address` (leader hints, redirects, cluster
    /// info) instead of where it listens; `nil` restores that.
    mutating func setAdvertised(_ address: Endpoint?, meta index: Int) throws(SimError) {
        try checkMeta(index)
        metas[index].advertised = address
    }

    /// Adds `latency` before every reply of MetaServer `index`, or of every MetaServer when `nil`.
    mutating func setLatency(_ latency: TimeAmount, meta index: Int?) throws(SimError) {
        guard latency >= .zero else {
            throw SimError(.invalidArgument, subject: "latency", detail: "must not be negative")
        }
        if let index {
            try checkMeta(index)
            metas[index].latency = latency
        } else {
            for index in metas.indices {
                metas[index].latency = latency
            }
        }
    }

    /// Takes the primary of a partition away (`primary` = 0, `hp_primary` unset) or gives its
    /// assigned primary back; each change bumps the ballot.
    mutating func setPrimaryPresent(_ present: Bool, table name: String, partition: Int) throws(SimError) {
        let tableIndex = try requireTable(name)
        try checkPartition(tableIndex, partition)
        let assigned = tables[tableIndex].partitions[partition].assignedPrimary
        let wanted: Int? = present ? assigned : nil
        if tables[tableIndex].partitions[partition].primary != wanted {
            tables[tableIndex].partitions[partition].primary = wanted
            tables[tableIndex].partitions[partition].ballot += 1
        }
    }

    /// Adds or replaces the duplication of table `name` to `spec.remote`.
    mutating func setDuplication(table name: String, _ spec: SimDuplicationSpec, now: Int64) throws(SimError) {
        let tableIndex = try requireTable(name)
        guard !spec.remote.isEmpty else {
            throw SimError(.invalidArgument, subject: "remote", detail: "must not be empty")
        }
        var table = tables[tableIndex]
        let existing = table.duplications.firstIndex { $0.remote == spec.remote }
        var duplication =
            existing.map { table.duplications[$0] }
            ?? SimDuplicationState(
                dupid: Self.newDupid(now: now, taken: Set(table.duplications.map(\.dupid))),
                remote: spec.remote,
                status: spec.status,
                failMode: spec.failMode,
                createTimeMilliseconds: now * 1000,
                remoteAppName: table.name,
                remoteReplicaCount: spec.remoteReplicaCount,
                confirmedDecrees: []
            )
        duplication.status = spec.status
        duplication.failMode = spec.failMode
        duplication.remoteAppName = spec.remoteAppName ?? table.name
        duplication.remoteReplicaCount = spec.remoteReplicaCount
        duplication.apply(spec.progress, lastCommitted: table.lastCommittedDecrees)
        if let existing {
            table.duplications[existing] = duplication
        } else {
            table.duplications.append(duplication)
        }
        tables[tableIndex] = table
    }

    /// Removes the duplication of table `name` to `remote` (status `DS_REMOVED`: it vanishes).
    mutating func removeDuplication(table name: String, remote: String) throws(SimError) {
        let tableIndex = try requireTable(name)
        let before = tables[tableIndex].duplications.count
        tables[tableIndex].duplications.removeAll { $0.remote == remote }
        guard tables[tableIndex].duplications.count < before else {
            throw SimError(.invalidArgument, subject: "\(name)->\(remote)", detail: "no such duplication")
        }
    }

    /// Moves the confirmed decrees of the table's duplications (those to `remote`, or all) forward
    /// by `count`, or all the way to the last committed decree when `count` is `nil`.
    mutating func advanceDuplication(table name: String, remote: String?, by count: Int64?) throws(SimError) {
        let tableIndex = try requireTable(name)
        let committed = tables[tableIndex].lastCommittedDecrees
        var matched = false
        for index in tables[tableIndex].duplications.indices
        where remote == nil
            || tables[tableIndex].duplications[index].remote == remote
        {
            matched = true
            for (partition, decree) in committed.enumerated() {
                let confirmed = tables[tableIndex].duplications[index].confirmedDecrees[partition]
                let advanced = count.map { max(confirmed, 0) + $0 } ?? decree
                tables[tableIndex].duplications[index].confirmedDecrees[partition] = min(decree, advanced)
            }
        }
        guard matched else {
            throw SimError(.invalidArgument, subject: "\(name)->\(remote ?? "*")", detail: "no such duplication")
        }
    }

    /// Simulates `count` writes to every partition of table `name`: bumps each last committed decree.
    mutating func write(table name: String, count: Int64) throws(SimError) {
        let tableIndex = try requireTable(name)
        guard count >= 0 else {
            throw SimError(.invalidArgument, subject: "count", detail: "must not be negative, is \(count)")
        }
        for index in tables[tableIndex].partitions.indices {
            tables[tableIndex].partitions[index].lastCommittedDecree += count
        }
    }

    /// Drops table `name` as `drop_app` does once it is done (src/meta/server_state.cpp `drop_app`):
    /// the table is gone, so query_config answers `ERR_OBJECT_NOT_FOUND`, the duplication query
    /// `ERR_APP_NOT_EXIST`, and list_apps leaves it out of the available tables.
    mutating func dropTable(_ name: String) throws(SimError) {
        let tableIndex = try requireTable(name)
        tables.remove(at: tableIndex)
    }

    /// Sets (or, with an empty value, deletes) one app env of `table` as the leader's
    /// `RPC_CM_UPDATE_APP_ENV` does, with its validation.
    mutating func setAppEnv(table: String, key: String, value: String) throws(SimError) {
        _ = try requireTable(table)
        let request: UpdateAppEnvRequest =
            value.isEmpty ? .delete([key], appName: table) : .set([key: value], appName: table)
        let response = updateAppEnv(request)
        guard response.err == .ok else {
            throw SimError(.invalidArgument, subject: key, detail: "\(response.err.name): \(response.hintMessage)")
        }
    }

    /// Zeroes every node's counters.
    mutating func resetStats() {
        metaCounters = Array(repeating: SimNodeCounters(), count: metas.count)
        replicaCounters = Array(repeating: SimNodeCounters(), count: replicas.count)
    }

    /// A `dupid` (creation second) not used yet by the table.
    private static func newDupid(now: Int64, taken: Set<Int32>) -> Int32 {
        var dupid = Int32(clamping: now)
        while taken.contains(dupid) {
            dupid &+= 1
        }
        return dupid
    }
}

extension SimClusterState {
    /// Every node's state and counters.
    var stats: SimStats {
        func node(_ state: SimNodeState, _ counters: SimNodeCounters, leader: Bool) -> SimStats.Node {
            SimStats.Node(
                address: state.address?.description ?? "",
                alive: state.alive,
                leader: leader,
                hung: state.hung,
                latencyMilliseconds: state.latency.nanoseconds / 1_000_000,
                queryConfig: counters.queryConfig,
                requests: counters.requests,
                http: counters.http,
                byName: counters.byName
            )
        }
        return SimStats(
            metas: metas.indices.map { node(metas[$0], metaCounters[$0], leader: leaderIndex == $0) },
            replicas: replicas.indices.map { node(replicas[$0], replicaCounters[$0], leader: false) }
        )
    }
}

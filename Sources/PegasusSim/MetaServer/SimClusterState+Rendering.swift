import PegasusWire

/// How the cluster's state looks in RPC replies: partition configurations, app infos and
/// duplication entries in the configured shapes.
extension SimClusterState {
    /// `max_replica_count` of every partition.
    static let maxReplicaCount: Int32 = 3

    /// Partition `index` of `table` as the leader reports it, in the configured reply shape
    /// (docs/pegasus-reference.md §5.3).
    func partitionConfiguration(_ table: SimTableState, _ index: Int) -> PartitionConfiguration {
        let partition = table.partitions[index]
        let shape = configuration.replyShape
        let primary = partition.primary.map(replicaAddress)
        let secondaries = partition.secondaries.map(replicaAddress)
        return PartitionConfiguration(
            pid: Gpid(appId: table.appId, partitionIndex: Int32(index)),
            ballot: partition.ballot,
            maxReplicaCount: Self.maxReplicaCount,
            primary: primary?.rpcAddress ?? .invalid,
            secondaries: secondaries.map(\.rpcAddress),
            lastDrops: [],
            lastCommittedDecree: partition.lastCommittedDecree,
            partitionFlags: shape == .plain ? nil : 0,
            hpPrimary: shape == .master ? primary?.hostPort : nil,
            hpSecondaries: shape == .master ? secondaries.map(\.hostPort) : nil,
            hpLastDrops: shape == .master ? [] : nil
        )
    }

    /// What a follower answers to a query-config request (docs/pegasus-reference.md §6.1): one partition
    /// naming the leader, every other field default; no partition when it knows no leader.
    func forwardQueryConfigResponse() -> QueryConfigResponse {
        var response = QueryConfigResponse(err: .forwardToOthers)
        if let leader = knownLeader, let address = metas[leader].announced {
            let shape = configuration.replyShape
            response.partitions = [
                PartitionConfiguration(
                    primary: address.rpcAddress,
                    partitionFlags: shape == .plain ? nil : 0,
                    hpPrimary: shape == .master ? address.hostPort : nil
                )
            ]
        }
        return response
    }

    /// The leader's answer to a query-config request (src/meta/server_state.cpp
    /// `query_configuration_by_index`): the valid requested partitions, or all of them.
    func queryConfigResponse(_ request: QueryConfigRequest) -> QueryConfigResponse {
        guard let tableIndex = tableIndex(named: request.appName) else {
            return QueryConfigResponse(err: .objectNotFound)
        }
        return queryConfigResponse(table: tableIndex, partitions: partitionIndices(request, of: tables[tableIndex]))
    }

    /// The partitions a query-config request gets from `table`: the valid requested ones in request
    /// order, or all of them when none is valid.
    func partitionIndices(_ request: QueryConfigRequest, of table: SimTableState) -> [Int] {
        let indices = request.partitionIndices.filter { $0 >= 0 && Int($0) < table.partitions.count }.map(Int.init)
        return indices.isEmpty ? Array(table.partitions.indices) : indices
    }

    /// The leader's answer for partitions `partitions` of the table at index `table`.
    func queryConfigResponse(table tableIndex: Int, partitions indices: [Int]) -> QueryConfigResponse {
        let table = tables[tableIndex]
        return QueryConfigResponse(
            err: .ok,
            appId: table.appId,
            partitionCount: Int32(table.partitions.count),
            isStateful: true,
            partitions: indices.map { partitionConfiguration(table, $0) }
        )
    }

    /// `app_info` of `table` (idl/dsn.layer2.thrift).
    func appInfo(_ table: SimTableState) -> AppInfo {
        AppInfo(
            status: .available,
            appType: "pegasus",
            appName: table.name,
            appId: table.appId,
            partitionCount: Int32(table.partitions.count),
            envs: table.envs,
            isStateful: true,
            maxReplicaCount: Self.maxReplicaCount,
            createSecond: table.createSecond,
            duplicating: table.duplications.isEmpty ? nil : true,
            initPartitionCount: Int32(table.partitions.count)
        )
    }

    /// `duplication_entry` of `duplication` in the configured duplication shape (docs/pegasus-reference.md §12.2).
    func duplicationEntry(_ duplication: SimDuplicationState, of table: SimTableState) -> DuplicationEntry {
        var entry = DuplicationEntry(
            dupid: duplication.dupid,
            status: duplication.status,
            remote: duplication.remote,
            createTs: duplication.createTimeMilliseconds,
            failMode: duplication.failMode
        )
        if configuration.duplicationShape == .master {
            entry.remoteAppName = duplication.remoteAppName
            entry.remoteReplicaCount = duplication.remoteReplicaCount
            var states: [Int32: DuplicationPartitionState] = [:]
            for (index, partition) in table.partitions.enumerated() {
                states[Int32(index)] = DuplicationPartitionState(
                    confirmedDecree: duplication.confirmedDecrees[index],
                    lastCommittedDecree: partition.lastCommittedDecree
                )
            }
            entry.partitionStates = states
        }
        return entry
    }

    /// The keys and values of `RPC_CM_CLUSTER_INFO` as `leader` answers it
    /// (docs/pegasus-reference.md §11.2); HTTP `/meta/cluster` omits the last, `cluster_name`.
    func clusterInfoPairs(leader: Int) -> [(String, String)] {
        [
            ("meta_servers", metaAddressTexts.joined(separator: ",")),
            ("primary_meta_server", metas[leader].announced?.description ?? ""),
            ("zookeeper_hosts", "\(configuration.host):2181"),
            ("zookeeper_root", "/pegasus/\(configuration.name)"),
            ("meta_function_level", "steady"),
            ("balance_operation_count", "move_pri=0,copy_pri=0,copy_sec=0,total=0"),
            ("primary_replica_count_stddev", "0.00"),
            ("total_replica_count_stddev", "0.00"),
            ("cluster_name", configuration.name),
        ]
    }
}

extension Endpoint {
    /// The rDSN `rpc_address` of this endpoint (`.invalid` if the host is not IPv4).
    var rpcAddress: RpcAddress {
        RpcAddress(parsing: description) ?? .invalid
    }

    /// The rDSN `host_port` of this endpoint.
    var hostPort: HostPort {
        HostPort(host: host, port: UInt16(truncatingIfNeeded: port))
    }
}

import PegasusWire

/// The MetaServer HTTP endpoints (docs/pegasus-reference.md §10.3–§10.5, §12.5;
/// src/meta/meta_http_service.cpp).
extension SimClusterState {
    /// Decides the reply of MetaServer `index` to an HTTP request for `target`.
    mutating func handleMetaHTTP(_ index: Int, target: String) -> SimOutcome<SimHTTPResponse> {
        handleHTTP(SimNodeID(role: .meta, index: index), target: target) { state, request in
            state.metaHTTPResponse(index, request)
        }
    }

    private func metaHTTPResponse(_ index: Int, _ request: SimHTTPRequest) -> SimHTTPResponse? {
        switch request.path {
        case "meta/cluster":
            return redirectUnlessLeader(index, request) ?? clusterHTTPResponse(index)
        case "meta/apps":
            guard request.query.keys.allSatisfy({ $0 == "detail" }) else {
                return .error(.badRequest, "")
            }
            return redirectUnlessLeader(index, request) ?? appsHTTPResponse(detailed: request.query["detail"] != nil)
        case "meta/app":
            guard request.query.keys.allSatisfy({ $0 == "name" || $0 == "detail" }) else {
                return .error(.badRequest, "")
            }
            return redirectUnlessLeader(index, request) ?? appHTTPResponse(request)
        case "meta/app/duplication":
            return redirectUnlessLeader(index, request) ?? duplicationHTTPResponse(request)
        case "meta/app_envs":
            return redirectUnlessLeader(index, request) ?? appEnvsHTTPResponse(request)
        case "meta/nodes":
            guard request.query.keys.allSatisfy({ $0 == "detail" }) else {
                return .error(.badRequest, "")
            }
            return redirectUnlessLeader(index, request) ?? nodesHTTPResponse()
        default:
            return nil
        }
    }

    /// `redirect_if_not_primary`: `nil` on the leader, else 307 to the leader's address, or to
    /// `invalid host_port` when no leader is known.
    private func redirectUnlessLeader(_ index: Int, _ request: SimHTTPRequest) -> SimHTTPResponse? {
        guard leaderIndex != index else {
            return nil
        }
        let leader = knownLeader.flatMap { metas[$0].announced?.description } ?? "invalid host_port"
        return SimHTTPResponse(
            status: .temporaryRedirect, body: "", location: "http://\(leader)\(request.rebuiltTarget)")
    }

    private func clusterHTTPResponse(_ leader: Int) -> SimHTTPResponse {
        .printerJSON(.strings(clusterInfoPairs(leader: leader).filter { $0.0 != "cluster_name" }))
    }

    private func appsHTTPResponse(detailed: Bool) -> SimHTTPResponse {
        let available = tables.sorted { $0.appId < $1.appId }
        var sections: [(String, SimJSON)] = []
        if !available.isEmpty {
            let rows = available.map { table -> (String, SimJSON) in
                let id = String(table.appId)
                return (
                    id,
                    .strings([
                        ("app_id", id), ("status", "AVAILABLE"), ("app_name", table.name), ("app_type", "pegasus"),
                        ("partition_count", String(table.partitions.count)),
                        ("replica_count", String(Self.maxReplicaCount)), ("is_stateful", "true"),
                        ("create_time", SimClock.dateTimeMilliseconds(unixMilliseconds: table.createSecond * 1000)),
                        ("drop_time", "-"), ("drop_expire", "-"), ("envs_count", String(table.envs.count)),
                    ])
                )
            }
            sections.append(("general_info", .object(rows)))
        }
        var summary = [("total_app_count", String(available.count))]
        if detailed && !available.isEmpty {
            let health = available.map { ($0, SimTableHealth($0)) }
            sections.append(
                (
                    "healthy_info",
                    .object(
                        health.map { table, health in
                            (
                                String(table.appId),
                                .strings([
                                    ("app_id", String(table.appId)), ("app_name", table.name),
                                    ("partition_count", String(table.partitions.count)),
                                    ("fully_healthy", String(health.fullyHealthy)),
                                    ("unhealthy", String(table.partitions.count - health.fullyHealthy)),
                                    ("write_unhealthy", String(health.writeUnhealthy)),
                                    ("read_unhealthy", String(health.readUnhealthy)),
                                ])
                            )
                        })
                ))
            let healthy = health.filter { $0.0.partitions.count == $0.1.fullyHealthy }.count
            summary += [
                ("fully_healthy_app_count", String(healthy)),
                ("unhealthy_app_count", String(available.count - healthy)),
                ("write_unhealthy_app_count", String(health.filter { $0.1.writeUnhealthy > 0 }.count)),
                ("read_unhealthy_app_count", String(health.filter { $0.1.readUnhealthy > 0 }.count)),
            ]
        }
        sections.append(("summary", .strings(summary)))
        return .printerJSON(.object(sections))
    }

    private func appHTTPResponse(_ request: SimHTTPRequest) -> SimHTTPResponse {
        guard let name = request.query["name"], !name.isEmpty else {
            return .error(.badRequest, "app name shouldn't be empty")
        }
        guard let tableIndex = tableIndex(named: name) else {
            return .error(.notFound, "table not found: \"\(name)\"")
        }
        let table = tables[tableIndex]
        var sections: [(String, SimJSON)] = [
            (
                "general",
                .strings([
                    ("app_name", table.name), ("app_id", String(table.appId)),
                    ("partition_count", String(table.partitions.count)),
                    ("max_replica_count", String(Self.maxReplicaCount)),
                ])
            )
        ]
        if request.query["detail"] != nil {
            sections += appDetailSections(table)
        }
        return .printerJSON(.object(sections))
    }

    /// The `replicas`, `nodes` and `healthy` sections of `/meta/app?detail`
    /// (src/common/replication_common.cpp `add_app_info`).
    private func appDetailSections(_ table: SimTableState) -> [(String, SimJSON)] {
        var replicaRows: [(String, SimJSON)] = []
        var nodeCounts: [Endpoint: (primary: Int, secondary: Int)] = [:]
        for (index, partition) in table.partitions.enumerated() {
            let primary = partition.primary.map(replicaAddress)
            let secondaries = partition.secondaries.map(replicaAddress)
            if let primary {
                nodeCounts[primary, default: (0, 0)].primary += 1
            }
            for secondary in secondaries {
                nodeCounts[secondary, default: (0, 0)].secondary += 1
            }
            let count = (primary == nil ? 0 : 1) + secondaries.count
            replicaRows.append(
                (
                    String(index),
                    .strings([
                        ("pidx", String(index)), ("ballot", String(partition.ballot)),
                        ("replica_count", "\(count)/\(Self.maxReplicaCount)"),
                        ("primary", primary?.description ?? "-"),
                        ("secondaries", "[" + secondaries.map(\.description).joined(separator: ",") + "]"),
                    ])
                ))
        }
        let nodes = nodeCounts.sorted { ($0.key.host, $0.key.port) < ($1.key.host, $1.key.port) }
        var nodeRows = nodes.map { address, counts -> (String, SimJSON) in
            let node = address.description
            return (
                node,
                .strings([
                    ("node", node), ("primary", String(counts.primary)), ("secondary", String(counts.secondary)),
                    ("total", String(counts.primary + counts.secondary)),
                ])
            )
        }
        let primaries = nodes.reduce(0) { $0 + $1.value.primary }
        let secondaries = nodes.reduce(0) { $0 + $1.value.secondary }
        nodeRows.append(
            (
                "total",
                .strings([
                    ("node", "total"), ("primary", String(primaries)), ("secondary", String(secondaries)),
                    ("total", String(primaries + secondaries)),
                ])
            ))
        let health = SimTableHealth(table)
        return [
            ("replicas", .object(replicaRows)),
            ("nodes", .object(nodeRows)),
            (
                "healthy",
                .strings([
                    ("fully_healthy_partition_count", String(health.fullyHealthy)),
                    ("unhealthy_partition_count", String(table.partitions.count - health.fullyHealthy)),
                    ("write_unhealthy_partition_count", String(health.writeUnhealthy)),
                    ("read_unhealthy_partition_count", String(health.readUnhealthy)),
                ])
            ),
        ]
    }

    /// `/meta/app/duplication` (src/common/duplication_common.cpp
    /// `duplication_query_response_to_string`): nlohmann JSON, `null` without duplications.
    private func duplicationHTTPResponse(_ request: SimHTTPRequest) -> SimHTTPResponse {
        guard let name = request.query["name"] else {
            return .error(.badRequest, "name should not be empty")
        }
        guard let tableIndex = tableIndex(named: name) else {
            return .error(.notFound, ErrorCode.appNotExist.name)
        }
        let table = tables[tableIndex]
        guard !table.duplications.isEmpty else {
            return .ok("null")
        }
        var pairs: [(String, SimJSON)] = [("appid", .integer(Int64(table.appId)))]
        for (position, duplication) in table.duplications.enumerated() {
            pairs.append((String(position + 1), duplicationJSON(duplication, of: table)))
        }
        return .ok(SimJSON.sorted(pairs).render())
    }

    private func duplicationJSON(_ duplication: SimDuplicationState, of table: SimTableState) -> SimJSON {
        let entry = duplicationEntry(duplication, of: table)
        var pairs: [(String, SimJSON)] = [
            ("dupid", .integer(Int64(entry.dupid))),
            ("create_ts", .string(SimClock.dateTime(unixSeconds: entry.createTs / 1000))),
            ("remote", .string(entry.remote)),
            ("status", .string(entry.status.description)),
            ("fail_mode", .string((entry.failMode ?? .slow).description)),
        ]
        if let remoteAppName = entry.remoteAppName {
            pairs.append(("remote_app_name", .string(remoteAppName)))
        }
        if let remoteReplicaCount = entry.remoteReplicaCount {
            pairs.append(("remote_replica_count", .integer(Int64(remoteReplicaCount))))
        }
        if let states = entry.partitionStates {
            let rows = states.map { index, state -> (String, SimJSON) in
                (
                    String(index),
                    SimJSON.sorted([
                        ("confirmed_decree", .integer(state.confirmedDecree)),
                        ("last_committed_decree", .integer(state.lastCommittedDecree)),
                    ])
                )
            }
            pairs.append(("partition_states", SimJSON.sorted(rows)))
        }
        return SimJSON.sorted(pairs)
    }

    private func nodesHTTPResponse() -> SimHTTPResponse {
        let sorted = replicas.sorted {
            ($0.address?.host ?? "", $0.address?.port ?? 0) < ($1.address?.host ?? "", $1.address?.port ?? 0)
        }
        let rows = sorted.map { replica -> (String, SimJSON) in
            let address = replica.address?.description ?? ""
            return (address, .strings([("address", address), ("status", replica.alive ? "ALIVE" : "UNALIVE")]))
        }
        let alive = replicas.filter(\.alive).count
        return .printerJSON(
            .object([
                ("details", .object(rows)),
                (
                    "summary",
                    .strings([
                        ("total_node_count", String(replicas.count)), ("alive_node_count", String(alive)),
                        ("unalive_node_count", String(replicas.count - alive)),
                    ])
                ),
            ]))
    }
}

import PegasusWire

/// The ReplicaServer HTTP endpoint `/replica/duplication?appid=N`
/// (src/replica/replica_http_service.cpp; docs/pegasus-reference.md §12.4), served on the
/// replica's RPC port, the address query_config reports for the partitions it is primary of.
/// `remote_app_name` is written with the `master` duplication shape only (v2.5.0 has no such field).
extension SimClusterState {
    /// Decides the reply of ReplicaServer `index` to an HTTP request for `target`.
    mutating func handleReplicaHTTP(_ index: Int, target: String) -> SimOutcome<SimHTTPResponse> {
        handleHTTP(SimNodeID(role: .replica, index: index), target: target) { state, request in
            request.path == "replica/duplication" ? state.replicaDuplicationResponse(index, request) : nil
        }
    }

    private func replicaDuplicationResponse(_ index: Int, _ request: SimHTTPRequest) -> SimHTTPResponse {
        guard let text = request.query["appid"] else {
            return .error(.badRequest, "appid should not be empty")
        }
        guard let appId = Int32(text), appId >= 0 else {
            return .error(.badRequest, "invalid appid=\(text)")
        }
        let hosted =
            tableIndex(appId: appId).map { tableIndex in
                tables[tableIndex].partitions.indices.filter { tables[tableIndex].partitions[$0].primary == index }
            } ?? []
        guard let tableIndex = tableIndex(appId: appId), !hosted.isEmpty else {
            return .error(.notFound, "no primary for app [appid=\(appId)]")
        }
        let table = tables[tableIndex]
        guard !table.duplications.isEmpty else {
            return .error(.notFound, "no duplication assigned for app [appid=\(appId)]")
        }
        let rows = table.duplications.map { duplication -> (String, SimJSON) in
            let partitions = hosted.map { partitionIndex -> (String, SimJSON) in
                let committed = table.partitions[partitionIndex].lastCommittedDecree
                let notConfirmed = max(0, committed - duplication.confirmedDecrees[partitionIndex])
                var fields: [(String, SimJSON)] = [
                    ("duplicating", .bool(duplication.status == .log)),
                    ("fail_mode", .string(duplication.failMode.description)),
                    ("not_confirmed_mutations_num", .integer(notConfirmed)),
                    ("not_duplicated_mutations_num", .integer(notConfirmed)),
                ]
                if configuration.duplicationShape == .master {
                    fields.append(("remote_app_name", .string(duplication.remoteAppName)))
                }
                return ("\(appId).\(partitionIndex)", SimJSON.sorted(fields))
            }
            return (String(duplication.dupid), SimJSON.sorted(partitions))
        }
        return .ok(SimJSON.sorted(rows).render())
    }
}

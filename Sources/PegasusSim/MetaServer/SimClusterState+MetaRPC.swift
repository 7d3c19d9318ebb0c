import PegasusWire

/// THFT requests to a MetaServer (docs/pegasus-reference.md §4–§6).
extension SimClusterState {
    /// Decides the reply of MetaServer `index` to `frame`.
    mutating func handleMetaRPC(_ index: Int, _ frame: RequestFrame) -> SimOutcome<ResponseFrame> {
        let name = frame.message.name
        let node = SimNodeID(role: .meta, index: index)
        return admit(node, http: false, queryConfig: name == RpcName.queryConfig, name: name).outcome {
            metaReply(index, frame)
        }
    }

    private mutating func metaReply(_ index: Int, _ frame: RequestFrame) -> Result<ResponseFrame, SimRequestRejection> {
        let name = frame.message.name
        let seqid = frame.message.seqid
        let isLeader = leaderIndex == index
        func reply<Args: ThriftDecodable>(
            _ args: Args.Type,
            _ answer: (Args) -> some ThriftEncodable
        ) -> Result<ResponseFrame, SimRequestRejection> {
            do {
                let request = try frame.decodeArgs(Args.self)
                return .success(.reply(requestName: name, seqid: seqid, result: answer(request)))
            } catch {
                return .failure(SimRequestRejection(detail: "cannot read \(name) args: \(error)"))
            }
        }
        switch name {
        case RpcName.queryConfig:
            return queryConfigReply(isLeader: isLeader, frame)
        case RpcName.listApps:
            return reply(ListAppsRequest.self) { request in
                isLeader ? listAppsResponse(request) : ListAppsResponse(err: .forwardToOthers)
            }
        case RpcName.clusterInfo:
            return reply(ClusterInfoRequest.self) { _ in
                isLeader
                    ? ClusterInfoResponse(pairs: clusterInfoPairs(leader: index))
                    : ClusterInfoResponse(err: .forwardToOthers)
            }
        case RpcName.queryDuplication:
            return reply(DuplicationQueryRequest.self) { request in
                isLeader ? duplicationQueryResponse(request) : DuplicationQueryResponse(err: .forwardToOthers)
            }
        case RpcName.updateAppEnv:
            return reply(UpdateAppEnvRequest.self) { request in
                isLeader ? updateAppEnv(request) : UpdateAppEnvResponse(err: .forwardToOthers)
            }
        case RpcName.negotiation:
            return reply(NegotiationRequest.self) { _ in NegotiationResponse(status: .saslAuthDisable) }
        default:
            return .success(.handlerNotFound(requestName: name, seqid: seqid))
        }
    }

    /// The reply to a query-config request, from ``replyCache`` when this state generation
    /// already answered the same table and partitions (or, on a follower, any query).
    private mutating func queryConfigReply(
        isLeader: Bool,
        _ frame: RequestFrame
    ) -> Result<ResponseFrame, SimRequestRejection> {
        let name = frame.message.name
        let seqid = frame.message.seqid
        let request: QueryConfigRequest
        do {
            request = try frame.decodeArgs(QueryConfigRequest.self)
        } catch {
            return .failure(SimRequestRejection(detail: "cannot read \(name) args: \(error)"))
        }
        let key: SimReplyCache.Key
        if !isLeader {
            key = .follower
        } else if let tableIndex = tableIndex(named: request.appName) {
            key = .leader(table: tableIndex, partitions: partitionIndices(request, of: tables[tableIndex]))
        } else {
            let response = QueryConfigResponse(err: .objectNotFound)
            return .success(.reply(requestName: name, seqid: seqid, result: response))
        }
        if let cached = replyCache.reply(for: key, generation: generation, seqid: seqid) {
            return .success(cached)
        }
        let response =
            switch key {
            case .follower: forwardQueryConfigResponse()
            case .leader(let table, let partitions): queryConfigResponse(table: table, partitions: partitions)
            }
        let reply = ResponseFrame.reply(requestName: name, seqid: seqid, result: response)
        replyCache.store(reply, for: key, generation: generation)
        return .success(reply)
    }

    /// The leader's list_apps answer (src/meta/server_state.cpp `list_apps`): filtered by pattern
    /// when both pattern and match type are given, then by status unless `AS_INVALID`.
    func listAppsResponse(_ request: ListAppsRequest) -> ListAppsResponse {
        var infos: [AppInfo] = []
        for table in tables.sorted(by: { $0.appId < $1.appId }) {
            if let pattern = request.appNamePattern, let matchType = request.matchType {
                switch Self.match(table.name, pattern, matchType) {
                case .some(true):
                    break
                case .some(false):
                    continue
                case .none:
                    return ListAppsResponse(
                        err: "ERR_NOT_IMPLEMENTED",
                        hintMessage: "match_type is not supported: val=\(matchType.rawValue)"
                    )
                }
            }
            guard request.status == .invalid || request.status == .available else {
                continue
            }
            infos.append(appInfo(table))
        }
        return ListAppsResponse(err: .ok, infos: infos)
    }

    /// The leader's duplication query answer (`query_duplication_info`).
    func duplicationQueryResponse(_ request: DuplicationQueryRequest) -> DuplicationQueryResponse {
        guard let tableIndex = tableIndex(named: request.appName) else {
            return DuplicationQueryResponse(err: .appNotExist)
        }
        let table = tables[tableIndex]
        return DuplicationQueryResponse(
            err: .ok,
            appId: table.appId,
            entries: table.duplications.map { duplicationEntry($0, of: table) }
        )
    }

    /// rDSN's `pattern_match`: `nil` for a match type it does not support (regex included).
    private static func match(_ name: String, _ pattern: String, _ type: PatternMatchType) -> Bool? {
        switch type {
        case .all: true
        case .exact: name == pattern
        case .anywhere: pattern.isEmpty || name.contains(pattern)
        case .prefix: name.hasPrefix(pattern)
        case .postfix: name.hasSuffix(pattern)
        default: nil
        }
    }
}

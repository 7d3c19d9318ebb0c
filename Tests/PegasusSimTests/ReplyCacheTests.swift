import PegasusWire
import Testing

@testable import PegasusSim

@Suite("Query-config reply cache")
struct ReplyCacheTests {
    /// Two MetaServers (0 leads), three replicas, table `t` of 4 partitions, every node bound.
    private static func boundState() -> SimClusterState {
        let configuration = SimClusterConfiguration(
            name: "x",
            metaCount: 2,
            tables: [SimTable(name: "t", partitionCount: 4)],
            replyShape: .master
        )
        var state = SimClusterState(configuration: configuration, now: 0)
        for index in state.metas.indices {
            state.metas[index].address = Endpoint(literalHost: "127.0.0.1", port: 34601 + index)
        }
        for index in state.replicas.indices {
            state.replicas[index].address = Endpoint(literalHost: "127.0.0.1", port: 34801 + index)
        }
        return state
    }

    /// What MetaServer `meta` answers, through the cache.
    private static func answer(
        _ state: inout SimClusterState,
        meta: Int,
        seqid: Int32,
        indices: [Int32] = []
    ) throws -> ResponseFrame {
        let outcome = state.handleMetaRPC(meta, Requests.queryConfig("t", seqid: seqid, indices: indices))
        guard case .reply(let reply, _) = outcome else {
            Issue.record("expected a reply, got \(outcome)")
            throw SimError(.invalidArgument, subject: "outcome", detail: "no reply")
        }
        return reply
    }

    /// The same reply built from the state, bypassing the cache.
    private static func fresh(
        _ state: SimClusterState,
        meta: Int,
        seqid: Int32,
        indices: [Int32] = []
    ) -> ResponseFrame {
        let request = QueryConfigRequest(appName: "t", partitionIndices: indices)
        let response =
            state.leaderIndex == meta ? state.queryConfigResponse(request) : state.forwardQueryConfigResponse()
        return .reply(requestName: RpcName.queryConfig, seqid: seqid, result: response)
    }

    @Test("a repeated query is answered from the cache under its own seqid, byte for byte as built")
    func repeatedQuery() throws {
        var state = Self.boundState()
        let first = try Self.answer(&state, meta: 0, seqid: 1)
        let second = try Self.answer(&state, meta: 0, seqid: 2)
        #expect(first == Self.fresh(state, meta: 0, seqid: 1))
        #expect(second == Self.fresh(state, meta: 0, seqid: 2))
        #expect(second.body == first.body)
        let subset = try Self.answer(&state, meta: 0, seqid: 3, indices: [2, 0, 9])
        #expect(subset == Self.fresh(state, meta: 0, seqid: 3, indices: [2, 0, 9]))
        #expect(subset.body != first.body)
        #expect(state.stats.metas[0].queryConfig == 3)
    }

    @Test("every control that changes the configuration changes the cached reply to the freshly built one")
    func controlsInvalidate() throws {
        var state = Self.boundState()
        var seqid: Int32 = 0
        var previous: [Int: ResponseFrame] = [:]
        /// Asks every live MetaServer twice (the second answer comes from the cache), checks each
        /// answer against a fresh build, and that meta `changed`'s answer moved.
        func check(_ step: Comment, changed: Int) throws {
            for meta in state.metas.indices where state.metas[meta].alive {
                seqid += 1
                _ = try Self.answer(&state, meta: meta, seqid: seqid)
                seqid += 1
                let reply = try Self.answer(&state, meta: meta, seqid: seqid)
                #expect(reply == Self.fresh(state, meta: meta, seqid: seqid), step)
                if meta == changed, let before = previous[meta] {
                    #expect(reply.body != before.body, step)
                }
                previous[meta] = reply
            }
        }
        try check("initial", changed: 0)
        try state.setPrimaryPresent(false, table: "t", partition: 1)
        try check("primary removed", changed: 0)
        try state.setPrimaryPresent(true, table: "t", partition: 1)
        try check("primary back", changed: 0)
        try state.write(table: "t", count: 5)
        try check("writes", changed: 0)
        state.replicas[2].address = Endpoint(literalHost: "127.0.0.1", port: 35000)
        try check("replica moved", changed: 0)
        try state.setLeader(1)
        try check("leader changed (meta 0 now forwards)", changed: 0)
        try state.setAdvertised(Endpoint(literalHost: "127.0.0.2", port: 1234), meta: 1)
        try check("leader advertised elsewhere", changed: 0)
        state.metas[1].alive = false
        try check("leader dead", changed: 0)
        try state.setLeader(0)
        try check("leader back on meta 0", changed: 0)
    }
}

import NIOCore
import NIOPosix
import PegasusSim
import PegasusWire
import RouteModel
import Testing

@testable import Router

/// Reusing an upstream query object (as the proxy's pool does, ``ProxyQuery``) never lets an event
/// of its earlier use reach the new one: late replies and failures carry an old seqid, and a
/// shared call's joiners an old generation.
@Suite("Query reuse (pooled queries, simulated cluster)", .serialized, .timeLimit(.minutes(1)))
struct QueryReuseTests {
    /// A query that records every outcome it gets, per use.
    final class RecordingQuery: UpstreamQuery {
        var outcomes: [Result<ResponseFrame, UpstreamError>] = []
        var onCompleted: (() -> Void)?

        init(args: ByteBuffer, deadline: NIODeadline) {
            super.init(name: RpcName.queryConfig, args: args, deadline: deadline, followsForwards: true)
        }

        override func completed(_ result: Result<ResponseFrame, UpstreamError>) {
            outcomes.append(result)
            onCompleted?()
        }
    }

    @Test("a joiner that timed out and was reused does not get the shared call's outcome")
    func reusedJoinerIsNotCompletedByTheSharedCall() async throws {
        let fixture = try await UpstreamQueryTests.Fixture(metas: 1)
        try fixture.sim.setLatency(.milliseconds(400))
        let loop = fixture.group.next()
        let pool = fixture.pool
        let cluster = fixture.cluster
        let args = UpstreamPoolTests.queryArgs("t1")
        let done = loop.makePromise(of: Void.self)
        let joiner = try await loop.submit {
            let upstreams = pool.upstreams(on: loop)
            let leader = RecordingQuery(args: args, deadline: .now() + .seconds(10))
            let joiner = RecordingQuery(args: args, deadline: .now() + .milliseconds(50))
            leader.onCompleted = { done.succeed() }
            upstreams?.start(leader, cluster: cluster)
            upstreams?.start(joiner, cluster: cluster)
            // The joiner gives up at its own deadline, and its object is reused (not started yet)
            // before the shared call answers.
            joiner.onCompleted = {
                joiner.onCompleted = nil
                joiner.prepareForReuse()
            }
            return NIOLoopBound(joiner, eventLoop: loop)
        }.get()
        try await done.futureResult.get()
        let outcomes = try await loop.submit { joiner.value.outcomes.map { (try? $0.get()) == nil } }.get()
        // One outcome (the failure at its deadline), not a second one from the leader's reply.
        #expect(outcomes == [true])
        #expect(SimClusters.queryCount(fixture.sim) == 1)
        try await fixture.stop()
    }

    @Test("a late reply to a query's earlier use is ignored by its next use")
    func lateReplyOfAnEarlierUseIsIgnored() async throws {
        let fixture = try await UpstreamQueryTests.Fixture(metas: 1)
        let loop = fixture.group.next()
        let pool = fixture.pool
        let cluster = fixture.cluster
        let args = UpstreamPoolTests.queryArgs("t1")
        let first = loop.makePromise(of: Void.self)
        let query = try await loop.submit {
            let query = RecordingQuery(args: args, deadline: .now() + .seconds(10))
            query.onCompleted = { first.succeed() }
            pool.upstreams(on: loop)?.start(query, cluster: cluster)
            return NIOLoopBound(query, eventLoop: loop)
        }.get()
        try await first.futureResult.get()

        // Second use against a hung MetaServer: in flight when the first use's reply arrives again.
        try fixture.sim.hangMeta(0)
        let second = loop.makePromise(of: Void.self)
        let countWhileInFlight = try await loop.submit {
            let query = query.value
            let firstReply = try query.outcomes[0].get()
            let oldSeqid: Int32 = 1  // the loop's first seqid: the first use's attempt
            query.prepareForReuse()
            query.deadline = .now() + .milliseconds(300)
            query.onCompleted = { second.succeed() }
            pool.upstreams(on: loop)?.start(query, cluster: cluster)
            query.metaReplied(seqid: oldSeqid, frame: firstReply)
            query.metaFailed(seqid: oldSeqid, error: UpstreamError(.connectionClosed, cluster: "c1"))
            return query.outcomes.count
        }.get()
        #expect(countWhileInFlight == 1)
        try await second.futureResult.get()
        let outcomes = try await loop.submit { query.value.outcomes.map { (try? $0.get()) != nil } }.get()
        // The first use's success, then the second use's own failure (its deadline), nothing else.
        #expect(outcomes == [true, false])
        try await fixture.stop()
    }
}

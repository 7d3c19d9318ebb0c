import HealthProbe
import Testing

@Suite("ClusterHealthRules as a value")
struct ClusterHealthRulesTests {
    private let rules = ClusterHealthRules()
    private static let ok = MetaProbeResult(
        meta: "m1:1", latency: .milliseconds(1), version: MetaVersion(version: "2.5.0", gitCommit: ""))
    private static let timedOut = MetaProbeResult(
        meta: "m2:1",
        latency: .seconds(1),
        error: ProbeError(.timeout, url: "http://m2:1/version")
    )
    private static let leader = LeaderObservation(leader: "m1:1", answeredBy: "m1:1")

    @Test("one answering meta and an answering leader is healthy, even with other metas down")
    func healthy() {
        let verdict = self.rules.verdict(for: ClusterRound(metas: [Self.ok, Self.timedOut], leader: Self.leader))
        #expect(verdict == ClusterVerdict(healthy: true, reason: .healthy))
    }

    @Test("no meta answering /version is unhealthy, whatever else was seen")
    func noMeta() {
        let verdict = self.rules.verdict(
            for: ClusterRound(
                metas: [Self.timedOut],
                leader: Self.leader,
                rpc: .leaderAnswered(partitionCount: 8, partitionsWithoutPrimary: 0, appId: 2)
            )
        )
        #expect(verdict.healthy == false)
        #expect(verdict.reason == .noMetaAnswered)
        #expect(verdict.detail?.contains("timeout") == true)
    }

    @Test("leader unknown vs named but not answering")
    func leaderRules() {
        let unknown = self.rules.verdict(for: ClusterRound(metas: [Self.ok], leader: LeaderObservation()))
        #expect(unknown.reason == .leaderUnknown)
        let silent = self.rules.verdict(for: ClusterRound(metas: [Self.ok], leader: LeaderObservation(leader: "m9:1")))
        #expect(silent == ClusterVerdict(healthy: false, reason: .leaderNotAnswering, detail: "m9:1"))
    }

    @Test("the RPC probe can vouch for the leader, and its table must have every primary")
    func rpcRules() {
        let viaRPC = self.rules.verdict(
            for: ClusterRound(
                metas: [Self.ok],
                leader: LeaderObservation(),
                rpc: .leaderAnswered(partitionCount: 8, partitionsWithoutPrimary: 0, appId: 2)
            )
        )
        #expect(viaRPC.healthy)
        let missing = self.rules.verdict(
            for: ClusterRound(
                metas: [Self.ok],
                leader: Self.leader,
                rpc: .leaderAnswered(partitionCount: 8, partitionsWithoutPrimary: 2, appId: 2)
            )
        )
        #expect(
            missing
                == ClusterVerdict(
                    healthy: false, reason: .partitionsWithoutPrimary, detail: "2 of 8 partitions have no primary"))
        let forward = self.rules.verdict(for: ClusterRound(metas: [Self.ok], leader: Self.leader, rpc: .forwardOnly))
        #expect(forward.reason == .rpcForwardOnly)
        let failed = self.rules.verdict(
            for: ClusterRound(metas: [Self.ok], leader: Self.leader, rpc: .error("ERR_OBJECT_NOT_FOUND")))
        #expect(failed == ClusterVerdict(healthy: false, reason: .rpcError, detail: "ERR_OBJECT_NOT_FOUND"))
    }
}

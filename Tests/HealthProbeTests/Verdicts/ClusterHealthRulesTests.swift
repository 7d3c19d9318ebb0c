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
            for: ClusterRound(metas: [Self.ok], leader: Self.leader, rpc: .error("timed out")))
        #expect(failed == ClusterVerdict(healthy: false, reason: .rpcError, detail: "timed out"))
    }

    @Test(
        "the probe table dropped, being created or dropped is a table problem: the cluster stays healthy",
        arguments: ["ERR_OBJECT_NOT_FOUND", "ERR_BUSY_CREATING", "ERR_BUSY_DROPPING", "ERR_APP_NOT_EXIST"]
    )
    func probeTableUnavailable(code: String) {
        #expect(RPCProbeOutcome.tableErrorCodes.contains(code))
        // With the HTTP leader answering, and with the RPC alone vouching for the leader.
        for leader in [Self.leader, LeaderObservation()] {
            let verdict = self.rules.verdict(
                for: ClusterRound(metas: [Self.ok], leader: leader, rpc: .tableUnavailable(code)))
            #expect(verdict == ClusterVerdict(healthy: true, reason: .probeTableUnavailable, detail: code))
        }
        // A table error never hides a dead meta plane.
        let dead = self.rules.verdict(
            for: ClusterRound(metas: [Self.timedOut], leader: LeaderObservation(), rpc: .tableUnavailable(code)))
        #expect(dead.reason == .noMetaAnswered)
    }

    @Test("the leader's table list is a cluster-level leader signal; a failed query_config alone does not decide")
    func tableListSignal() {
        let listed = AppListOutcome.listed(tableCount: 40, denials: [:])
        let viaList = self.rules.verdict(
            for: ClusterRound(metas: [Self.ok], leader: LeaderObservation(), rpc: .error("timed out"), apps: listed))
        #expect(viaList == ClusterVerdict(healthy: true, reason: .healthy))
        let forwardButListed = self.rules.verdict(
            for: ClusterRound(metas: [Self.ok], leader: Self.leader, rpc: .forwardOnly, apps: listed))
        #expect(forwardButListed.healthy)
        // Nothing reached the leader: the RPC's failure is the reason.
        let nothing = self.rules.verdict(
            for: ClusterRound(
                metas: [Self.ok], leader: LeaderObservation(), rpc: .error("timed out"), apps: .error("timed out")))
        #expect(nothing == ClusterVerdict(healthy: false, reason: .rpcError, detail: "timed out"))
        let forwards = self.rules.verdict(
            for: ClusterRound(metas: [Self.ok], leader: LeaderObservation(), rpc: .forwardOnly, apps: .forwardOnly))
        #expect(forwards.reason == .rpcForwardOnly)
        // Partitions without a primary on an available probe table still count.
        let missing = self.rules.verdict(
            for: ClusterRound(
                metas: [Self.ok], leader: Self.leader,
                rpc: .leaderAnswered(partitionCount: 8, partitionsWithoutPrimary: 1, appId: 2), apps: listed))
        #expect(missing.reason == .partitionsWithoutPrimary)
    }
}

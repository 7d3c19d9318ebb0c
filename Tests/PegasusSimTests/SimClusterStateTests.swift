import PegasusWire
import Testing

@testable import PegasusSim

@Suite("SimClusterState: follower replies")
struct SimClusterStateTests {
    @Test("follower state machine: forward names the leader only while it is alive")
    func forwardDecision() throws {
        var state = SimClusterState(configuration: SimClusterConfiguration(name: "x"), now: 0)
        state.metas[0].address = Endpoint(literalHost: "127.0.0.1", port: 34601)
        #expect(state.forwardQueryConfigResponse().partitions.first?.primary == RpcAddress(parsing: "127.0.0.1:34601"))
        state.metas[0].alive = false
        #expect(state.forwardQueryConfigResponse().partitions.isEmpty)
        state.metas[0].alive = true
        try state.setLeader(nil)
        #expect(state.forwardQueryConfigResponse().partitions.isEmpty)
    }
}

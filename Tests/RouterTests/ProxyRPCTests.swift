import PegasusWire
import Testing

@testable import Router

@Suite("Proxy RPC dispatch table")
struct ProxyRPCTests {
    @Test("query_config has a handler; other names, its reply name and the empty name have none")
    func lookup() {
        #expect(ProxyRPC(name: RpcName.queryConfig) == .queryConfig)
        #expect(ProxyRPC(name: "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX") == .queryConfig)
        #expect(ProxyRPC(name: RpcName.queryConfigAck) == nil)
        #expect(ProxyRPC(name: RpcName.listApps) == nil)
        #expect(ProxyRPC(name: RpcName.listNodes) == nil)
        #expect(ProxyRPC(name: "rpc_cm_query_partition_config_by_index") == nil)
        #expect(ProxyRPC(name: "") == nil)
    }
}

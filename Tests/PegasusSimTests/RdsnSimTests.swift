import NIOCore
import PegasusSim
import PegasusWire
import Testing

@Suite("RDSN connections to simulated MetaServers", .timeLimit(.minutes(1)))
struct RdsnSimTests {
    private func query(_ table: String, id: UInt64) -> [UInt8] {
        let frame = RdsnFrame.request(
            name: RpcName.queryConfig, id: id, gpid: Gpid(appId: 0, partitionIndex: 0), timeoutMs: 5000,
            body: RdsnFrame.body(wrapping: QueryConfigRequest(appName: table)))
        var buffer = ByteBuffer()
        frame.encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    @Test("the leader answers an RDSN query config in RDSN form, id echoed")
    func leaderAnswers() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let connection = try await TestConnection.connect(cluster.metaAddresses[0])
            try await connection.send(query("t1", id: 0x1234_5678_9abc))
            let reply = try await connection.rdsnReply()
            #expect(reply.header.id == 0x1234_5678_9abc)
            #expect(reply.header.errorName.text == "ERR_OK")
            let response = try reply.decodeBody(QueryConfigResponse.self)
            #expect(response.err == .ok)
            #expect(response.appId == cluster.tables.first { $0.name == "t1" }?.appId)
            #expect(Int(response.partitionCount) == response.partitions.count)
            // The connection serves more requests, including unknown RPCs.
            try await connection.send(query("nope", id: 7))
            let missing = try await connection.rdsnReply()
            #expect(try missing.decodeBody(QueryConfigResponse.self).err == .objectNotFound)
            await connection.close()
        }
    }

    @Test("a follower's RDSN answer names the leader in the body, never in the header")
    func followerForward() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let connection = try await TestConnection.connect(cluster.metaAddresses[1])
            try await connection.send(query("t1", id: 9))
            let reply = try await connection.rdsnReply()
            #expect(reply.header.errorName.text == "ERR_OK")
            let response = try reply.decodeBody(QueryConfigResponse.self)
            #expect(response.err == .forwardToOthers)
            #expect(response.partitions.first?.primary.description == cluster.metaAddresses[0])
            await connection.close()
        }
    }
}

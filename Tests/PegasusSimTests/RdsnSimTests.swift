import NIOCore
import PegasusSim
import PegasusWire
import Testing

@Suite("RDSN connections to simulated MetaServers", .timeLimit(.minutes(1)))
struct RdsnSimTests {
    private func query(_ table: String, id: UInt64) -> [UInt8] {
        request(RpcName.queryConfig, id: id, args: QueryConfigRequest(appName: table))
    }

    private func request(
        _ name: String, id: UInt64, args: some ThriftEncodable, checksums: RdsnChecksums = .compute
    ) -> [UInt8] {
        let frame = RdsnFrame.request(
            name: name, id: id, gpid: Gpid(appId: 0, partitionIndex: 0), timeoutMs: 5000,
            body: RdsnFrame.body(wrapping: args))
        var buffer = ByteBuffer()
        frame.encode(into: &buffer, checksums: checksums)
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

    @Test("a follower answers RDSN in the body, naming the leader, as a MetaServer answers a request without forwarding")
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

    @Test("list apps, unknown RPCs and CRCs over RDSN: answered in RDSN form on one connection")
    func otherRequests() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let connection = try await TestConnection.connect(cluster.metaAddresses[0])
            try await connection.send(request(RpcName.listApps, id: 1, args: ListAppsRequest(), checksums: .none))
            let apps = try await connection.rdsnReply()
            #expect(apps.header.id == 1)
            #expect(apps.header.rpcName.text == RpcName.ack(RpcName.listApps))
            #expect(apps.header.errorName.text == "ERR_OK")
            // No CRCs in the request, none in the reply (rDSN's default).
            #expect(apps.header.hdrCRC32 == 0 && apps.header.bodyCRC32 == 0)
            let listed = try apps.decodeBody(ListAppsResponse.self)
            #expect(listed.err == .ok)
            #expect(listed.infos.map(\.appName) == cluster.tables.map(\.name))

            try await connection.send(request(RpcName.listNodes, id: 2, args: ListAppsRequest()))
            let missing = try await connection.rdsnReply()
            #expect(missing.header.id == 2)
            #expect(missing.header.rpcName.text == RpcName.ack(RpcName.listNodes))
            #expect(missing.header.errorName.text == "ERR_HANDLER_NOT_FOUND")
            #expect(missing.body.readableBytes == 0)

            // With CRCs in the request, the reply carries them (checked by RdsnFrame.read).
            try await connection.send(query("t2", id: 3))
            let answered = try await connection.rdsnReply()
            #expect(answered.header.id == 3)
            #expect(answered.header.hdrCRC32 != 0)
            #expect(try answered.decodeBody(QueryConfigResponse.self).partitions.count == 4)
            await connection.close()
        }
    }

    @Test("a body CRC mismatch closes the connection without a reply")
    func badChecksumCloses() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let connection = try await TestConnection.connect(cluster.metaAddresses[0])
            var bytes = query("t1", id: 4)
            bytes[bytes.count - 2] ^= 0xff
            try await connection.send(bytes)
            #expect(try await connection.closedByPeer())
            #expect(connection.inbox.take { $0.readableBytes } == 0)
        }
    }
}

import NIOCore
import PegasusSim
import PegasusWire
import RouteModel
import TestSupport
import Testing

@testable import Router

/// RDSN clients (the C++ client's and the shell's native frames) through an in-process meta-proxy
/// in front of two simulated clusters, routes in ZooKeeper (`ZK_ADDRESS`).
@Suite("meta-proxy serves RDSN connections", .serialized, .timeLimit(.minutes(3)))
struct RdsnProxyTests {
    private typealias Fixture = RdsnProxyFixture

    @Test("each table is answered by its cluster; the reply echoes the request and relays the body byte for byte")
    func queriesReachBothClusters() async throws {
        try await Fixture.run { f in
            let rdsn = try await RdsnTestClient.connect(f.proxy)
            let thft = try await RdsnTestClient.connect(f.proxy)
            for (index, (table, cluster)) in [("t1", f.a), ("t2", f.b)].enumerated() {
                let id = 0xFEDC_BA98_7654_3210 + UInt64(index)
                let request = Fixture.rdsnQuery(table, id: id, timeoutMs: 4000)
                try await rdsn.send(request)
                let reply = try await rdsn.rdsnReply()
                #expect(reply.header.id == id)
                #expect(reply.header.traceId == request.header.traceId)
                #expect(reply.header.rpcName.text == RpcName.ack(RpcName.queryConfig))
                #expect(reply.header.errorName.text == ErrorCode.ok.name)
                #expect(reply.header.errorCode == .byName)
                #expect(!reply.header.context.isRequest)
                #expect(!reply.header.context.isForwarded)
                #expect(reply.header.clientTimeoutMs == 4000)
                // The request carried no CRCs, so neither does the reply (rDSN's default).
                #expect(reply.header.hdrCRC32 == 0)
                #expect(reply.header.bodyCRC32 == 0)
                let response = try reply.decodeBody(QueryConfigResponse.self)
                #expect(response.err == .ok)
                #expect(response.appId == Fixture.appId(table, in: cluster))
                #expect(response.partitions.count == Int(response.partitionCount))

                // A THFT client of the same proxy gets the same relayed bytes.
                try await thft.send(Fixture.thftQuery(table, seqid: 7))
                let thftReply = try await thft.thftReply()
                #expect(Array(reply.body.readableBytesView) == Array(thftReply.body.readableBytesView))
            }
            await rdsn.close()
            await thft.close()
        }
    }

    @Test("each client layout's golden request (Python THFT v0, Java THFT v1, C++ RDSN) gets the same answer")
    func goldenRequestsOfEveryClient() async throws {
        try await Fixture.run { f in
            let python = try await RdsnTestClient.connect(f.proxy)
            try await python.send(try Fixture.golden("req_query_cfg_v0_pypegasus3.hex"))
            let pythonReply = try await python.thftReply()
            #expect(pythonReply.message.seqid == 1)

            let java = try await RdsnTestClient.connect(f.proxy)
            try await java.send(try Fixture.golden("req_query_cfg_v1_javalayout.hex"))
            let javaReply = try await java.thftReply()
            #expect(javaReply.message.seqid == 0)

            let cpp = try await RdsnTestClient.connect(f.proxy)
            let golden = try Fixture.hexBytes(Fixture.goldenRdsnRequest)
            #expect(golden.count == 216)
            try await cpp.send(golden)
            let cppReply = try await cpp.rdsnReply()
            #expect(cppReply.header.id == 258)
            #expect(cppReply.header.traceId == 0x1122_3344_5566_7788)
            #expect(cppReply.header.errorName.text == ErrorCode.ok.name)

            let response = try cppReply.decodeBody(QueryConfigResponse.self)
            #expect(response.err == .ok)
            #expect(response.appId == Fixture.appId("temp", in: f.a))
            #expect(Array(cppReply.body.readableBytesView) == Array(pythonReply.body.readableBytesView))
            #expect(Array(cppReply.body.readableBytesView) == Array(javaReply.body.readableBytesView))
            for client in [python, java, cpp] { await client.close() }
        }
    }

    @Test("a request with CRCs gets a reply with correct CRCs")
    func checksumsFollowTheRequest() async throws {
        try await Fixture.run { f in
            let client = try await RdsnTestClient.connect(f.proxy)
            try await client.send(Fixture.rdsnQuery("t1", id: 41), checksums: .compute)
            // `rdsnReply` reads with RdsnFrame.read, which rejects a non-zero CRC that does not match.
            let reply = try await client.rdsnReply()
            #expect(reply.header.id == 41)
            #expect(reply.header.hdrCRC32 != 0)
            #expect(reply.header.bodyCRC32 == CRC32C.checksum(reply.body))
            let reencoded = Fixture.bytes(reply, checksums: .compute)
            let headerCRC = reencoded[RdsnHeader.Offset.hdrCRC32..<RdsnHeader.Offset.hdrCRC32 + 4]
            #expect(Array(headerCRC) == withUnsafeBytes(of: reply.header.hdrCRC32.littleEndian, Array.init))
            await client.close()
        }
    }

    @Test("unknown RPC → ERR_HANDLER_NOT_FOUND in the header; unknown table → ERR_OBJECT_NOT_FOUND in the body")
    func errorsKeepTheConnection() async throws {
        try await Fixture.run { f in
            let client = try await RdsnTestClient.connect(f.proxy)
            var unknown = Fixture.rdsnQuery("t1", id: 5)
            unknown.header.rpcName = RdsnName("RPC_CM_LIST_NODES")
            try await client.send(unknown)
            let refused = try await client.rdsnReply()
            #expect(refused.header.id == 5)
            #expect(refused.header.rpcName.text == "RPC_CM_LIST_NODES_ACK")
            #expect(refused.header.errorName.text == ErrorCode.handlerNotFound.name)
            #expect(refused.body.readableBytes == 0)

            try await client.send(Fixture.rdsnQuery("no_such_table", id: 6))
            let missing = try await client.rdsnReply()
            #expect(missing.header.id == 6)
            #expect(missing.header.errorName.text == ErrorCode.ok.name)
            #expect(try missing.decodeBody(QueryConfigResponse.self).err == .objectNotFound)

            try await client.send(Fixture.rdsnQuery("t1", id: 7))
            let answered = try await client.rdsnReply()
            #expect(answered.header.id == 7)
            #expect(try answered.decodeBody(QueryConfigResponse.self).err == .ok)
            await client.close()
        }
    }

    @Test("no MetaServer reachable → ERR_TIMEOUT in the header, no body; a leader change never reaches the client")
    func upstreamTroubles() async throws {
        try await Fixture.run { f in
            let client = try await RdsnTestClient.connect(f.proxy)
            try await client.send(Fixture.rdsnQuery("dead", id: 8, timeoutMs: 3000))
            let timedOut = try await client.rdsnReply()
            #expect(timedOut.header.id == 8)
            #expect(timedOut.header.errorName.text == ErrorCode.timeout.name)
            #expect(timedOut.body.readableBytes == 0)

            try await client.send(Fixture.rdsnQuery("t1", id: 9))
            #expect(try await client.rdsnReply().header.errorName.text == ErrorCode.ok.name)
            try f.a.setLeader(2)
            // Another table of A: t1's reply of a moment ago would be reused (meta.coalesce_window).
            try await client.send(Fixture.rdsnQuery("shared", id: 10))
            let afterSwitch = try await client.rdsnReply()
            #expect(afterSwitch.header.id == 10)
            #expect(afterSwitch.header.errorName.text == ErrorCode.ok.name)
            #expect(try afterSwitch.decodeBody(QueryConfigResponse.self).err == .ok)
            #expect(f.a.stats().metas[2].queryConfig > 0)
            await client.close()
        }
    }

    @Test("the effective route decides: a table switched to its backup is answered by the backup, and back")
    func failoverApplies() async throws {
        try await Fixture.run { f in
            let client = try await RdsnTestClient.connect(f.proxy)
            // The first query loads the route; the second is served from the loop's resolution.
            for id in UInt64(1)...2 {
                try await client.send(Fixture.rdsnQuery("shared", id: id))
                #expect(try await client.rdsnReply().decodeBody(QueryConfigResponse.self).appId == Fixture.appId("shared", in: f.a))
            }
            f.effective.switchTable("shared", to: f.b.configuration.name)
            try await client.send(Fixture.rdsnQuery("shared", id: 3))
            let switched = try await client.rdsnReply()
            #expect(switched.header.id == 3)
            #expect(try switched.decodeBody(QueryConfigResponse.self).appId == Fixture.appId("shared", in: f.b))
            f.effective.switchBack("shared")
            try await client.send(Fixture.rdsnQuery("shared", id: 4))
            let back = try await client.rdsnReply()
            #expect(back.header.id == 4)
            #expect(try back.decodeBody(QueryConfigResponse.self).appId == Fixture.appId("shared", in: f.a))
            await client.close()
        }
    }

    @Test("50 THFT and 50 RDSN connections, pipelined: every answer matched by seqid or id, from the right cluster")
    func mixedLoad() async throws {
        try await Fixture.run { f in
            let want = ["t1": Fixture.appId("t1", in: f.a) ?? -1, "t2": Fixture.appId("t2", in: f.b) ?? -1]
            let perConnection = 20
            let table = Self.table
            let problems = try await withThrowingTaskGroup(of: [String].self) { group in
                for connection in 0..<50 {
                    group.addTask {
                        let client = try await RdsnTestClient.connect(f.proxy)
                        try await client.send((0..<perConnection).flatMap { Fixture.thftQuery(table($0), seqid: Int32($0)) })
                        var problems: [String] = []
                        var seen: Set<Int32> = []
                        for _ in 0..<perConnection {
                            let reply = try await client.thftReply()
                            let seqid = reply.message.seqid
                            seen.insert(seqid)
                            let appId = try reply.decodeResult(QueryConfigResponse.self).appId
                            if appId != want[table(Int(seqid))] { problems.append("thft \(connection) seqid \(seqid): \(appId)") }
                        }
                        if seen.count != perConnection { problems.append("thft \(connection): seqids \(seen.sorted())") }
                        await client.close()
                        return problems
                    }
                    group.addTask {
                        let client = try await RdsnTestClient.connect(f.proxy)
                        let base = UInt64(connection) << 40
                        try await client.send(
                            (0..<perConnection).flatMap {
                                Fixture.bytes(Fixture.rdsnQuery(table($0), id: base + UInt64($0)), checksums: .none)
                            })
                        var problems: [String] = []
                        var seen: Set<UInt64> = []
                        for _ in 0..<perConnection {
                            let reply = try await client.rdsnReply()
                            let n = reply.header.id - base
                            seen.insert(reply.header.id)
                            let appId = try reply.decodeBody(QueryConfigResponse.self).appId
                            if reply.header.errorName.text != ErrorCode.ok.name || appId != want[table(Int(n))] {
                                problems.append("rdsn \(connection) id \(reply.header.id): \(reply.header.errorName) \(appId)")
                            }
                        }
                        if seen != Set((0..<UInt64(perConnection)).map { base + $0 }) {
                            problems.append("rdsn \(connection): ids \(seen.sorted())")
                        }
                        await client.close()
                        return problems
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(problems.isEmpty, "\(problems.prefix(10))")
        }
    }

    /// The table of the `n`th request of a connection in `mixedLoad`.
    private static func table(_ n: Int) -> String { n % 2 == 1 ? "t1" : "t2" }

    @Test("every prefix of a request: no reply, connection open; the rest arrives: answered")
    func everyPrefixWaits() async throws {
        try await Fixture.run { f in
            let length = Fixture.bytes(Fixture.rdsnQuery("t1", id: 0), checksums: .compute).count
            var waiting: [(cut: Int, client: RdsnTestClient, frame: [UInt8])] = []
            for cut in 1..<length {
                // With CRCs, so the header CRC is checked as soon as the 192 header bytes are in.
                let frame = Fixture.bytes(Fixture.rdsnQuery("t1", id: UInt64(cut)), checksums: .compute)
                let client = try await RdsnTestClient.connect(f.proxy)
                try await client.send(frame[..<cut])
                waiting.append((cut, client, frame))
            }
            // A full request on another connection is answered; then give the proxy a moment more
            // to (wrongly) answer or close any of the prefixes.
            let probe = try await RdsnTestClient.connect(f.proxy)
            try await probe.send(Fixture.rdsnQuery("t1", id: 0))
            #expect(try await probe.rdsnReply().header.id == 0)
            try await Task.sleep(for: .milliseconds(300))
            for (cut, client, _) in waiting {
                #expect(client.pendingByteCount == 0, "prefix of \(cut) bytes got a reply")
                #expect(!client.isClosed, "prefix of \(cut) bytes closed the connection")
            }
            for (cut, client, frame) in waiting {
                try await client.send(frame[cut...])
                let reply = try await client.rdsnReply()
                #expect(reply.header.id == UInt64(cut))
                #expect(reply.header.errorName.text == ErrorCode.ok.name)
                #expect(client.pendingByteCount == 0)
                await client.close()
            }
            await probe.close()
        }
    }

    @Test("a frame rDSN would reject closes only its connection", arguments: RdsnCorruption.all)
    func corruptionClosesOnlyThatConnection(_ corruption: RdsnCorruption) async throws {
        try await Fixture.run { f in
            let bystander = try await RdsnTestClient.connect(f.proxy)
            try await bystander.send(Fixture.rdsnQuery("t2", id: 1))
            #expect(try await bystander.rdsnReply().header.id == 1)

            let client = try await RdsnTestClient.connect(f.proxy)
            let good = Fixture.bytes(Fixture.rdsnQuery("t1", id: 77), checksums: .compute)
            if corruption.afterGoodFrame {
                // Sent after the answer: like rDSN, the proxy drops what is in flight when it closes.
                try await client.send(good)
                #expect(try await client.rdsnReply().header.id == 77)
            }
            try await client.send(corruption.bytes)
            #expect(await client.closedByPeer(), "\(corruption) did not close the connection")
            #expect(client.pendingByteCount == 0, "\(corruption) got a reply")

            try await bystander.send(Fixture.rdsnQuery("t2", id: 2))
            let reply = try await bystander.rdsnReply()
            #expect(reply.header.id == 2)
            #expect(reply.header.errorName.text == ErrorCode.ok.name)
            await bystander.close()
        }
    }
}

/// One way to break an RDSN request, as a test argument.
struct RdsnCorruption: Sendable, CustomTestStringConvertible, CustomStringConvertible {
    /// What is broken.
    var name: String
    /// The bytes sent.
    var bytes: [UInt8]
    /// Whether a good request is sent and answered on the connection first.
    var afterGoodFrame = false

    var testDescription: String { name }
    var description: String { name }

    /// A request for `t1` with `checksums`, changed by `edit`.
    private static func request(
        checksums: RdsnChecksums = .compute,
        _ edit: (inout [UInt8]) -> Void
    ) -> [UInt8] {
        var bytes = RdsnProxyFixture.bytes(RdsnProxyFixture.rdsnQuery("t1", id: 78), checksums: checksums)
        edit(&bytes)
        return bytes
    }

    private static func setU32(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    static let all: [RdsnCorruption] = [
        RdsnCorruption(name: "unknown first four bytes", bytes: request { $0[3] = UInt8(ascii: "X") }),
        RdsnCorruption(name: "HTTP on the client port", bytes: Array("GET /version HTTP/1.1\r\nHost: p\r\n\r\n".utf8)),
        RdsnCorruption(name: "bad magic on a later frame", bytes: request { $0[0] = UInt8(ascii: "X") }, afterGoodFrame: true),
        RdsnCorruption(name: "header CRC mismatch", bytes: request { $0[RdsnHeader.Offset.rpcName + 4] ^= 0x20 }),
        RdsnCorruption(name: "body CRC mismatch", bytes: request { $0[$0.count - 3] ^= 0x01 }),
        RdsnCorruption(
            name: "header CRC mismatch on a later frame", bytes: request { $0[RdsnHeader.Offset.traceId] ^= 1 },
            afterGoodFrame: true),
        RdsnCorruption(name: "hdr_version 1", bytes: request(checksums: .none) { $0[RdsnHeader.Offset.hdrVersion] = 1 }),
        RdsnCorruption(name: "hdr_length 200", bytes: request(checksums: .none) { setU32(200, at: RdsnHeader.Offset.hdrLength, in: &$0) }),
        RdsnCorruption(
            name: "body_length over max_frame_bytes (header only)",
            bytes: Array(
                request(checksums: .none) {
                    setU32(UInt32(RdsnProxyFixture.maxFrameBytes), at: RdsnHeader.Offset.bodyLength, in: &$0)
                }.prefix(RdsnHeader.size))),
        RdsnCorruption(
            name: "body not a Thrift struct wrapper",
            bytes: request(checksums: .none) { $0[RdsnHeader.size] = ThriftType.string.rawValue }),
    ]
}

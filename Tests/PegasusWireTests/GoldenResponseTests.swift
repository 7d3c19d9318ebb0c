import NIOCore
import PegasusWire
import Testing

@Suite("Golden reply vectors")
struct GoldenResponseTests {
    static let queryConfigFiles = [
        "resp_query_cfg_ok.hex", "resp_query_cfg_ok_flags.hex", "resp_query_cfg_ok_hostport.hex",
        "resp_query_cfg_forward.hex", "resp_query_cfg_forward_flags.hex", "resp_query_cfg_forward_hostport.hex",
        "resp_query_cfg_not_found.hex",
    ]

    @Test("query-config replies decode to expected.json and re-encode byte for byte", arguments: queryConfigFiles)
    func queryConfigReply(file: String) throws {
        let (bytes, frame, expected) = try load(file)
        let response = try frame.decodeResult(QueryConfigResponse.self)
        #expect(response.err.name == expected.err)
        #expect(response.appId == expected.appId)
        #expect(response.partitionCount == expected.partitionCount)
        #expect(response.isStateful == expected.isStateful)
        let partitions = try #require(expected.partitions)
        try #require(response.partitions.count == partitions.count)
        for (actual, want) in zip(response.partitions, partitions) {
            #expect(actual.pid == Gpid(appId: want.appId, partitionIndex: want.pidx))
            #expect(actual.ballot == want.ballot)
            #expect(actual.maxReplicaCount == want.maxReplicaCount)
            #expect(actual.primary.description == want.primary)
            #expect(actual.secondaries.map(\.description) == want.secondaries)
            #expect(actual.lastDrops.map(\.description) == want.lastDrops)
            #expect(actual.lastCommittedDecree == want.lastCommittedDecree)
            #expect(actual.partitionFlags == want.partitionFlags)
            #expect(actual.hpPrimary?.description == want.hpPrimary)
            #expect(actual.hpSecondaries?.map(\.description) == want.hpSecondaries)
            #expect(actual.hpLastDrops?.map(\.description) == want.hpLastDrops)
        }
        try expectTypedReencoding(bytes, frame, response)
    }

    @Test("the handler-not-found reply has no body and re-encodes byte for byte")
    func handlerNotFound() throws {
        let (bytes, frame, expected) = try load("resp_handler_not_found.hex")
        #expect(expected.body == "none")
        #expect(frame.body.readableBytes == 0)
        #expect(frame.errorName == ErrorCode.handlerNotFound.name)
        #expect(throws: WireError.self) { try frame.decodeResult(QueryConfigResponse.self) }
        let built = ResponseFrame.handlerNotFound(requestName: RpcName.listNodes, seqid: 7)
        #expect(built == frame)
        var out = ByteBuffer()
        built.encode(into: &out)
        #expect(Array(out.readableBytesView) == bytes)
    }

    @Test("the list_apps reply decodes to expected.json and re-encodes byte for byte")
    func listApps() throws {
        let (bytes, frame, expected) = try load("resp_list_apps_ok.hex")
        let response = try frame.decodeResult(ListAppsResponse.self)
        #expect(response.err.name == expected.err)
        #expect(response.hintMessage == nil)
        let infos = try #require(expected.infos)
        try #require(response.infos.count == infos.count)
        for (actual, want) in zip(response.infos, infos) {
            #expect(actual.status.rawValue == want.status)
            #expect(actual.appType == want.appType)
            #expect(actual.appName == want.appName)
            #expect(actual.appId == want.appId)
            #expect(actual.partitionCount == want.partitionCount)
            #expect(actual.envs == want.envs)
            #expect(actual.isStateful == want.isStateful)
            #expect(actual.maxReplicaCount == want.maxReplicaCount)
            #expect(actual.expireSecond == want.expireSecond)
            #expect(actual.createSecond == want.createSecond)
            #expect(actual.dropSecond == want.dropSecond)
            #expect(actual.duplicating == want.duplicating)
            #expect(actual.initPartitionCount == want.initPartitionCount)
            #expect(actual.isBulkLoading == nil)
            #expect(actual.atomicIdempotent == nil)
        }
        try expectTypedReencoding(bytes, frame, response)
    }

    @Test("the negotiation reply decodes to expected.json and re-encodes byte for byte")
    func negotiation() throws {
        let (bytes, frame, expected) = try load("resp_negotiation_auth_disable.hex")
        let response = try frame.decodeResult(NegotiationResponse.self)
        #expect(response.status.rawValue == expected.status)
        #expect(response.status.description == expected.statusName)
        #expect(response.status == .saslAuthDisable)
        #expect(response.msg == Array((expected.msg ?? "").utf8))
        try expectTypedReencoding(bytes, frame, response)
    }

    @Test("the reply name is the request name plus _ACK")
    func ackNames() throws {
        for file in GoldenVectors.responseFiles {
            let (_, frame, _) = try load(file, requireExpected: false)
            #expect(frame.message.name.hasSuffix("_ACK"))
            #expect(frame.message.type == .reply)
        }
        #expect(RpcName.ack(RpcName.queryConfig) == "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK")
    }

    @Test("relaying under a new seqid changes only the seqid bytes")
    func relayNewSeqid() throws {
        let bytes = try GoldenVectors.bytes("resp_query_cfg_ok_hostport.hex")
        var input = ByteBuffer(bytes: bytes)
        let frame = try ResponseFrame.read(from: &input)
        var out = ByteBuffer()
        frame.encode(seqid: 0x0102_0304, into: &out)
        var expected = bytes
        // The seqid sits at 4 + (4 + 6) + 4 + (4 + 42) = 64 (docs/pegasus-reference.md §4.2).
        expected.replaceSubrange(64..<68, with: [1, 2, 3, 4])
        #expect(Array(out.readableBytesView) == expected)
    }

    // MARK: Helpers

    /// Reads a reply vector, checks the envelope and message against expected.json, and checks
    /// that verbatim re-encoding and the channel decoder agree.
    func load(
        _ file: String,
        requireExpected: Bool = true
    ) throws -> ([UInt8], ResponseFrame, ExpectedVector) {
        let bytes = try GoldenVectors.bytes(file)
        var input = ByteBuffer(bytes: bytes)
        let frame = try ResponseFrame.read(from: &input)
        #expect(input.readableBytes == 0)
        #expect(Int(bytes[3]) | Int(bytes[2]) << 8 | Int(bytes[1]) << 16 == bytes.count)

        var verbatim = ByteBuffer()
        frame.encode(into: &verbatim)
        #expect(Array(verbatim.readableBytesView) == bytes)

        var decoder = ResponseFrameDecoder(maxFrameBytes: 1 << 20)
        var stream = ByteBuffer(bytes: bytes)
        #expect(try decoder.decode(buffer: &stream) == frame)

        guard requireExpected else {
            return (bytes, frame, ExpectedVector())
        }
        let expected = try #require(try GoldenVectors.expected()[file])
        #expect(frame.errorName == expected.errorName)
        #expect(frame.message.name == expected.rpcName)
        #expect(expected.messageType == "REPLY")
        #expect(frame.message.type == .reply)
        #expect(frame.message.seqid == expected.seqid)
        if let resultFieldId = expected.resultFieldId {
            var reader = ThriftReader(frame.body)
            #expect(try reader.readFieldHeader() == ThriftFieldHeader(type: .struct, id: resultFieldId))
        }
        return (bytes, frame, expected)
    }

    /// `ResponseFrame.reply` of the decoded value must reproduce the vector.
    func expectTypedReencoding(_ bytes: [UInt8], _ frame: ResponseFrame, _ value: some ThriftEncodable) throws {
        let name = String(frame.message.name.dropLast(4))
        let rebuilt = ResponseFrame.reply(requestName: name, seqid: frame.message.seqid, result: value)
        var out = ByteBuffer()
        rebuilt.encode(into: &out)
        #expect(Array(out.readableBytesView) == bytes)
    }
}

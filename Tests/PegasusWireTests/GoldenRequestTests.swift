import NIOCore
import PegasusWire
import Testing

@Suite("Golden request vectors")
struct GoldenRequestTests {
    @Test(
        "every request vector decodes to expected.json and re-encodes byte for byte",
        arguments: [
            "req_query_cfg_v0_pypegasus3.hex", "req_query_cfg_v1_javalayout.hex", "req_list_apps_v0.hex",
            "req_negotiation_v1_javalayout.hex",
        ])
    func requestVector(file: String) throws {
        let bytes = try GoldenVectors.bytes(file)
        let expected = try #require(try GoldenVectors.expected()[file])
        var input = ByteBuffer(bytes: bytes)
        let frame = try RequestFrame.read(from: &input)
        #expect(input.readableBytes == 0)

        // Header.
        let header = frame.header
        #expect(header.version.rawValue == expected.headerVersion)
        if let meta = expected.meta {
            #expect(header.version == .v1)
            #expect(
                header.meta
                    == RequestMetaV1(
                        appId: meta.appId,
                        partitionIndex: meta.partitionIndex,
                        clientTimeout: meta.clientTimeout,
                        clientPartitionHash: meta.clientPartitionHash,
                        isBackupRequest: meta.isBackupRequest
                    ))
            #expect(header.appId == meta.appId)
            #expect(header.partitionIndex == meta.partitionIndex)
            #expect(header.clientTimeout == meta.clientTimeout)
            #expect(header.isBackupRequest == meta.isBackupRequest)
        }
        if let appId = expected.appId { #expect(header.appId == appId) }
        if let partitionIndex = expected.partitionIndex { #expect(header.partitionIndex == partitionIndex) }
        if let clientTimeout = expected.clientTimeout { #expect(header.clientTimeout == clientTimeout) }
        if let threadHash = expected.threadHash { #expect(header.threadHash == threadHash) }
        if let partitionHash = expected.partitionHash { #expect(header.partitionHash == partitionHash) }
        if let crc = expected.hdrCrc32 { #expect(header.hdrCRC32 == crc) }
        if let crc = expected.bodyCrc32 { #expect(header.bodyCRC32 == crc) }
        if let bodyLength = expected.bodyLength { #expect(frame.body.readableBytes == bodyLength) }
        if let headerLength = expected.headerLength {
            #expect(bytes.count - frame.body.readableBytes == headerLength)
        }
        if let metaLength = expected.metaLength {
            #expect(bytes.count - frame.body.readableBytes - RequestHeader.v1FixedLength == metaLength)
        }

        // Message.
        #expect(frame.message.name == expected.rpcName)
        #expect(frame.message.type == .call)
        #expect(expected.messageType == "CALL")
        #expect(frame.message.seqid == expected.seqid)
        if let argsFieldId = expected.argsFieldId {
            var reader = ThriftReader(frame.args)
            #expect(try reader.readFieldHeader() == ThriftFieldHeader(type: .struct, id: argsFieldId))
        }

        // Args, and a typed re-encoding that must give the same bytes.
        var typed = ByteBuffer()
        switch frame.message.name {
        case RpcName.queryConfig:
            let request = try frame.decodeArgs(QueryConfigRequest.self)
            #expect(request.appName == expected.appName)
            #expect(request.partitionIndices == expected.partitionIndices)
            typed = encode(frame, request)
        case RpcName.listApps:
            let request = try frame.decodeArgs(ListAppsRequest.self)
            #expect(request.status.rawValue == expected.status)
            #expect(request.appNamePattern == nil)
            #expect(request.matchType == nil)
            typed = encode(frame, request)
        case RpcName.negotiation:
            let request = try frame.decodeArgs(NegotiationRequest.self)
            #expect(request.status.rawValue == expected.status)
            #expect(request.status.description == expected.statusName)
            #expect(request.msg == Array((expected.msg ?? "").utf8))
            typed = encode(frame, request)
        default:
            Issue.record("unexpected RPC name \(frame.message.name)")
        }
        #expect(Array(typed.readableBytesView) == bytes)

        // Verbatim re-encoding and the fast writer.
        var verbatim = ByteBuffer()
        frame.encode(into: &verbatim)
        #expect(Array(verbatim.readableBytesView) == bytes)
        var fast = ByteBuffer()
        RequestFrame.write(
            header: frame.header,
            name: frame.message.name,
            seqid: frame.message.seqid,
            args: frame.args,
            into: &fast
        )
        #expect(Array(fast.readableBytesView) == bytes)

        // The channel decoder gives the same frame.
        var decoder = RequestFrameDecoder(maxFrameBytes: 1 << 20)
        var stream = ByteBuffer(bytes: bytes)
        #expect(try decoder.decode(buffer: &stream) == frame)
        #expect(stream.readableBytes == 0)
    }

    @Test("the duplication query request decodes to the README's values and re-encodes")
    func duplicationQueryRequest() throws {
        let bytes = try GoldenVectors.bytes("req_query_dup_v0.hex")
        #expect(bytes.count == 100)
        var input = ByteBuffer(bytes: bytes)
        let frame = try RequestFrame.read(from: &input)
        #expect(frame.header == RequestHeader(version: .v0))
        #expect(frame.body.readableBytes == 52)
        #expect(frame.message == ThriftMessageHeader(name: RpcName.queryDuplication, type: .call, seqid: 3))
        let request = try frame.decodeArgs(DuplicationQueryRequest.self)
        #expect(request == DuplicationQueryRequest(appName: "temp"))
        #expect(Array(encode(frame, request).readableBytesView) == bytes)
    }

    @Test("re-sending a client's args under a new seqid changes only the seqid")
    func resendWithNewSeqid() throws {
        let bytes = try GoldenVectors.bytes("req_query_cfg_v1_javalayout.hex")
        var input = ByteBuffer(bytes: bytes)
        let frame = try RequestFrame.read(from: &input)
        var out = ByteBuffer()
        RequestFrame.write(header: RequestHeader(), name: frame.message.name, seqid: 77, args: frame.args, into: &out)
        let resent = try RequestFrame.read(from: &out)
        #expect(resent.header == RequestHeader())
        #expect(resent.message == ThriftMessageHeader(name: RpcName.queryConfig, type: .call, seqid: 77))
        #expect(resent.args == frame.args)
        #expect(try resent.decodeArgs(QueryConfigRequest.self) == QueryConfigRequest(appName: "temp"))
    }

    private func encode(_ frame: RequestFrame, _ args: some ThriftEncodable) -> ByteBuffer {
        let rebuilt = RequestFrame.make(
            header: frame.header, name: frame.message.name, seqid: frame.message.seqid, args: args)
        var out = ByteBuffer()
        rebuilt.encode(into: &out)
        return out
    }
}

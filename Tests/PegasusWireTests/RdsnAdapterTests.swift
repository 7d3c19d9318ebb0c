import NIOCore
import NIOEmbedded
import Testing

@testable import PegasusWire

/// A handler that records what reaches it, standing in for the proxy's THFT handler.
private final class Recorder: ChannelInboundHandler {
    typealias InboundIn = RequestFrame
    var frames: [RequestFrame] = []
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { frames.append(unwrapInboundIn(data)) }
}

@Suite("RDSN connections through the THFT adapter and the format detector")
struct RdsnAdapterTests {
    private func rdsnPipeline() throws -> (EmbeddedChannel, Recorder) {
        let channel = EmbeddedChannel()
        let recorder = Recorder()
        try channel.pipeline.syncOperations.addHandler(
            ConnectionFormatDetector { format, context in
                guard format == .rdsn || format == .thft else { throw WireError(.badMagic, detail: "test") }
                let sync = context.pipeline.syncOperations
                if format == .rdsn {
                    try sync.addHandler(ByteToMessageHandler(RdsnFrameDecoder(maxFrameBytes: 1 << 20)), position: .after(context.handler))
                    let decoder = try sync.handler(type: ByteToMessageHandler<RdsnFrameDecoder>.self)
                    try sync.addHandler(RdsnThriftAdapter(), position: .after(decoder))
                } else {
                    try sync.addHandler(ByteToMessageHandler(RequestFrameDecoder(maxFrameBytes: 1 << 20)), position: .after(context.handler))
                }
            })
        try channel.pipeline.syncOperations.addHandler(recorder)
        return (channel, recorder)
    }

    /// Feeds `request` through detector and adapter, answers the THFT frame it becomes with
    /// `answer` (encoded THFT reply bytes), and returns the RDSN reply the adapter writes.
    private func exchange(
        _ request: ByteBuffer = ByteBuffer(bytes: RdsnGoldenFrames.request),
        answer: (RequestFrame) throws -> ByteBuffer
    ) throws -> RdsnFrame {
        let (channel, recorder) = try rdsnPipeline()
        try channel.writeInbound(request)
        let frame = try #require(recorder.frames.first)
        try channel.writeOutbound(try answer(frame))
        var out = try #require(try channel.readOutbound(as: ByteBuffer.self))
        return try RdsnFrame.read(from: &out)
    }

    /// The encoded handler-not-found THFT reply to `frame`.
    private func handlerNotFound(_ frame: RequestFrame) -> ByteBuffer {
        var thft = ByteBuffer()
        ResponseFrame.handlerNotFound(requestName: frame.message.name, seqid: frame.message.seqid).encode(into: &thft)
        return thft
    }

    @Test("an RDSN request fed in pieces reaches the THFT handler as the same query")
    func requestTranslated() throws {
        let (channel, recorder) = try rdsnPipeline()
        let bytes = RdsnGoldenFrames.request
        // Byte by byte through the magic, then the rest: the detector must keep every byte.
        for byte in bytes.prefix(6) { try channel.writeInbound(ByteBuffer(bytes: [byte])) }
        try channel.writeInbound(ByteBuffer(bytes: bytes.dropFirst(6)))
        let frame = try #require(recorder.frames.first)
        #expect(frame.message.name == RpcName.queryConfig)
        let request = try frame.decodeArgs(QueryConfigRequest.self)
        #expect(request.appName == "temp")
        #expect(frame.header.clientTimeout == 5000)
    }

    @Test("a THFT request whose first 4 bytes arrive in pieces is detected as THFT and decoded whole")
    func thftPrefixInPieces() throws {
        let (channel, recorder) = try rdsnPipeline()
        var encoded = ByteBuffer()
        RequestFrame.make(
            header: RequestHeader(), name: RpcName.queryConfig, seqid: 11, args: QueryConfigRequest(appName: "t2")
        ).encode(into: &encoded)
        let bytes = Array(encoded.readableBytesView)
        try channel.writeInbound(ByteBuffer(bytes: bytes.prefix(2)))
        #expect(recorder.frames.isEmpty)
        try channel.writeInbound(ByteBuffer(bytes: bytes.dropFirst(2)))
        let frame = try #require(recorder.frames.first)
        #expect(frame.message.seqid == 11)
        #expect(try frame.decodeArgs(QueryConfigRequest.self).appName == "t2")
    }

    @Test("the THFT reply goes back as the RDSN reply: id echoed, body byte for byte, error in the header")
    func replyTranslated() throws {
        let (channel, recorder) = try rdsnPipeline()
        try channel.writeInbound(ByteBuffer(bytes: RdsnGoldenFrames.request))
        let frame = try #require(recorder.frames.first)
        let body = ByteBuffer(bytes: try RdsnGoldenFrames.replyBody())
        var thft = ByteBuffer()
        ResponseFrame.write(
            errorName: "ERR_OK", name: RpcName.ack(RpcName.queryConfig), seqid: frame.message.seqid, body: body,
            into: &thft)
        try channel.writeOutbound(thft)
        var out = try #require(try channel.readOutbound(as: ByteBuffer.self))
        let reply = try RdsnFrame.read(from: &out)
        var requestBytes = ByteBuffer(bytes: RdsnGoldenFrames.request)
        let request = try RdsnFrame.read(from: &requestBytes)
        #expect(reply.header.id == request.header.id)
        #expect(reply.header.errorName.text == "ERR_OK")
        #expect(reply.header.rpcName.text == "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK")
        #expect(reply.header.context.isRequest == false)
        #expect(Array(reply.body.readableBytesView) == Array(body.readableBytesView))
        #expect(try reply.decodeBody(QueryConfigResponse.self).appId == 2)
    }

    @Test("a handler-not-found THFT reply becomes an RDSN reply with that error and no body")
    func handlerNotFound() throws {
        let reply = try exchange(answer: handlerNotFound)
        #expect(reply.header.errorName.text == "ERR_HANDLER_NOT_FOUND")
        #expect(reply.body.readableBytes == 0)
    }

    @Test("an envelope ERR_FORWARD_TO_OTHERS never reaches an RDSN client: it becomes ERR_TIMEOUT, no body")
    func forwardNeverInHeader() throws {
        let reply = try exchange { frame in
            var address = ByteBuffer()
            address.writeThriftFieldHeader(.struct, id: 0)
            address.writeInteger(Int64(0x0a01_0203_0001_0001))
            address.writeThriftStop()
            var thft = ByteBuffer()
            ResponseFrame.write(
                errorName: ErrorCode.forwardToOthers.name, name: RpcName.ack(RpcName.queryConfig),
                seqid: frame.message.seqid, body: address, into: &thft)
            return thft
        }
        #expect(reply.header.errorName.text == ErrorCode.timeout.name)
        #expect(reply.body.readableBytes == 0)
    }

    @Test("the reply carries CRCs when the request had either CRC, none when it had none")
    func checksumsFollowRequest() throws {
        var request = ByteBuffer(bytes: RdsnGoldenFrames.request)
        let golden = try RdsnFrame.read(from: &request)
        // (request header CRC, request body CRC) → reply has CRCs
        let cases: [(UInt32, UInt32, Bool)] = [(0, 0, false), (0, CRC32C.checksum(golden.body), true), (1, 0, true)]
        for (headerCRC, bodyCRC, expectCRCs) in cases {
            var bytes = ByteBuffer()
            golden.encode(into: &bytes, checksums: .none)
            bytes.setInteger(bodyCRC, at: RdsnHeader.Offset.bodyCRC32, endianness: .little)
            if headerCRC != 0, let crc = RdsnHeader.checksum(ofHeaderAt: bytes.readerIndex, in: bytes) {
                bytes.setInteger(crc, at: RdsnHeader.Offset.hdrCRC32, endianness: .little)
            }
            let reply = try exchange(bytes, answer: handlerNotFound)
            #expect((reply.header.hdrCRC32 != 0) == expectCRCs, "request CRCs \(headerCRC)/\(bodyCRC)")
        }
    }

    @Test("THFT connections pass through the detector unchanged")
    func thftPassesThrough() throws {
        let (channel, recorder) = try rdsnPipeline()
        let bytes = try GoldenVectors.bytes("req_query_cfg_v0_pypegasus3.hex")
        try channel.writeInbound(ByteBuffer(bytes: bytes.prefix(3)))
        #expect(recorder.frames.isEmpty)
        try channel.writeInbound(ByteBuffer(bytes: bytes.dropFirst(3)))
        let frame = try #require(recorder.frames.first)
        #expect(frame.message.seqid == 1)
        #expect(try frame.decodeArgs(QueryConfigRequest.self).appName == "temp")
    }

    @Test("unknown first bytes close the connection with an error")
    func unknownFormatCloses() throws {
        let (channel, _) = try rdsnPipeline()
        #expect(throws: WireError.self) { try channel.writeInbound(ByteBuffer(string: "HELO world")) }
        #expect(!channel.isActive)
    }

    @Test("the first bytes select the format")
    func formats() {
        #expect(ConnectionFormat(prefix: Array("THFT".utf8)) == .thft)
        #expect(ConnectionFormat(prefix: Array("RDSN".utf8)) == .rdsn)
        #expect(ConnectionFormat(prefix: Array("GET /".utf8)) == .http)
        #expect(ConnectionFormat(prefix: Array("POST".utf8)) == .http)
        #expect(ConnectionFormat(prefix: Array("HEAD".utf8)) == nil)
    }
}

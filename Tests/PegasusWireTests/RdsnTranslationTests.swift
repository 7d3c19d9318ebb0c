import NIOCore
import PegasusWire
import Testing

/// RDSN request -> THFT args -> a MetaServer's THFT reply -> RDSN reply, against the THFT golden
/// vectors captured from pypegasus3.
@Suite("RDSN <-> THFT translation")
struct RdsnTranslationTests {
    static func goldenRequest() throws -> RdsnFrame {
        var input = ByteBuffer(bytes: RdsnGoldenFrames.request)
        return try RdsnFrame.read(from: &input)
    }

    @Test("the RDSN body becomes exactly the args struct pypegasus3 sends")
    func argsMatchThft() throws {
        let args = try Self.goldenRequest().thriftArgs()
        var thft = try GoldenVectors.buffer("req_query_cfg_v0_pypegasus3.hex")
        let captured = try RequestFrame.read(from: &thft)
        #expect(args == captured.args)
        // Only the wrapper's field id changed: 0 -> 1.
        var expected = RdsnGoldenFrames.requestBody
        expected[2] = 0x01
        #expect(Array(args.readableBytesView) == expected)
    }

    @Test("the THFT request carries the RDSN request's name, gpid, timeout and hashes")
    func thriftRequest() throws {
        let request = try Self.goldenRequest()
        let frame = try request.thriftRequest(seqid: 1)
        #expect(frame.message == ThriftMessageHeader(name: RpcName.queryConfig, type: .call, seqid: 1))
        #expect(frame.header == RequestHeader(version: .v0, clientTimeout: 5000))
        #expect(try frame.decodeArgs(QueryConfigRequest.self) == QueryConfigRequest(appName: "temp"))

        // On the wire it is pypegasus3's request except client_timeout (pypegasus3 sends 0).
        var encoded = ByteBuffer()
        frame.encode(into: &encoded)
        var expected = try GoldenVectors.bytes("req_query_cfg_v0_pypegasus3.hex")
        expected.replaceSubrange(32..<36, with: [0x00, 0x00, 0x13, 0x88])
        #expect(Array(encoded.readableBytesView) == expected)
    }

    @Test("a THFT reply becomes the RDSN reply, body byte for byte, values unchanged")
    func replyRoundTrip() throws {
        let request = try Self.goldenRequest()
        var upstreamBytes = try GoldenVectors.buffer("resp_query_cfg_ok_flags.hex")
        let upstream = try ResponseFrame.read(from: &upstreamBytes)
        let reply = try RdsnFrame.reply(to: request, relaying: upstream, from: RdsnGoldenFrames.proxyAddress)
        #expect(reply.body == upstream.body)

        var wire = ByteBuffer()
        reply.encode(into: &wire)
        #expect(Array(wire.readableBytesView) == (try RdsnGoldenFrames.reply()))

        var decoder = RdsnFrameDecoder(maxFrameBytes: 1 << 20)
        let decoded = try #require(try decoder.decode(buffer: &wire))
        #expect(decoded.header.id == request.header.id)
        #expect(decoded.header.errorName.text == upstream.errorName)
        #expect(
            try decoded.decodeBody(QueryConfigResponse.self) == (try upstream.decodeResult(QueryConfigResponse.self))
        )
    }

    @Test(
        "every THFT query-config reply relays with its values",
        arguments: [
            "resp_query_cfg_ok.hex", "resp_query_cfg_ok_hostport.hex", "resp_query_cfg_forward.hex",
            "resp_query_cfg_forward_hostport.hex", "resp_query_cfg_not_found.hex",
        ]
    )
    func relayVectors(file: String) throws {
        let request = try Self.goldenRequest()
        var upstreamBytes = try GoldenVectors.buffer(file)
        let upstream = try ResponseFrame.read(from: &upstreamBytes)
        var wire = ByteBuffer()
        try RdsnFrame.reply(to: request, relaying: upstream).encode(into: &wire)
        let decoded = try RdsnFrame.read(from: &wire)
        #expect(decoded.body == upstream.body)
        #expect(
            try decoded.decodeBody(QueryConfigResponse.self) == (try upstream.decodeResult(QueryConfigResponse.self))
        )
    }

    @Test("an envelope error without a body relays as an empty RDSN body")
    func handlerNotFound() throws {
        let request = try Self.goldenRequest()
        var upstreamBytes = try GoldenVectors.buffer("resp_handler_not_found.hex")
        let upstream = try ResponseFrame.read(from: &upstreamBytes)
        let reply = try RdsnFrame.reply(to: request, relaying: upstream)
        #expect(reply.body.readableBytes == 0)
        #expect(reply.header.bodyLength == 0)
        #expect(reply.header.errorName.text == "ERR_HANDLER_NOT_FOUND")
        #expect(reply.header.rpcName.text == "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK")
        var wire = ByteBuffer()
        reply.encode(into: &wire)
        #expect(wire.readableBytes == RdsnHeader.size)
        #expect(try RdsnFrame.read(from: &wire).header.bodyCRC32 == 0)  // CRC-32C of nothing is 0
    }

    @Test("a THFT body that does not start with result field 0 is refused")
    func relayRefusesOtherShapes() throws {
        let request = try Self.goldenRequest()
        for body: [UInt8] in [[0x0c, 0x00, 0x01, 0x00, 0x00], [0x0b, 0x00, 0x00, 0, 0, 0, 0, 0x00], [0x0c]] {
            let upstream = ResponseFrame(
                errorName: "ERR_OK",
                message: ThriftMessageHeader(name: "X_ACK", type: .reply, seqid: 1),
                body: ByteBuffer(bytes: body)
            )
            let error = #expect(throws: WireError.self) { try RdsnFrame.reply(to: request, relaying: upstream) }
            #expect(error?.code == .missingField)
        }
    }

    @Test("thriftArgs refuses a body that is not a STRUCT field")
    func argsRefusesOtherShapes() throws {
        var request = try Self.goldenRequest()
        for (body, code): ([UInt8], WireError.Code) in [
            ([], .truncated), ([0x0c, 0x00], .truncated), ([0x00, 0x00, 0x00], .invalidType),
            ([0x0b, 0x00, 0x00, 0x00], .invalidType),
        ] {
            request.body = ByteBuffer(bytes: body)
            let error = #expect(throws: WireError.self) { try request.thriftArgs() }
            #expect(error?.code == code)
        }
    }
}

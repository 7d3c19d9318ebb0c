import NIOCore
import PegasusWire
import Testing

/// Every strict prefix of a valid frame: the channel decoders wait (nil, nothing consumed), the
/// direct readers throw a typed error.
@Suite("Truncation at every byte")
struct TruncationTests {
    @Test("request frames", arguments: GoldenVectors.requestFiles)
    func requestPrefixes(file: String) throws {
        let bytes = try GoldenVectors.bytes(file)
        for length in 0..<bytes.count {
            var prefix = ByteBuffer(bytes: bytes[..<length])
            var decoder = RequestFrameDecoder(maxFrameBytes: 1 << 20)
            #expect(try decoder.decode(buffer: &prefix) == nil, "prefix \(length)")
            #expect(prefix.readableBytes == length)
            #expect(try decoder.decodeLast(buffer: &prefix, seenEOF: true) == nil)
            let error = #expect(throws: WireError.self) { try RequestFrame.read(from: &prefix) }
            #expect(error?.code == .truncated, "prefix \(length)")
        }
    }

    @Test("reply frames", arguments: GoldenVectors.responseFiles)
    func responsePrefixes(file: String) throws {
        let bytes = try GoldenVectors.bytes(file)
        for length in 0..<bytes.count {
            var prefix = ByteBuffer(bytes: bytes[..<length])
            var decoder = ResponseFrameDecoder(maxFrameBytes: 1 << 20)
            #expect(try decoder.decode(buffer: &prefix) == nil, "prefix \(length)")
            #expect(prefix.readableBytes == length)
            let error = #expect(throws: WireError.self) { try ResponseFrame.read(from: &prefix) }
            #expect(error?.code == .truncated, "prefix \(length)")
        }
    }

    @Test("request args: every prefix of the args fails to decode", arguments: GoldenVectors.requestFiles)
    func argsPrefixes(file: String) throws {
        var input = try GoldenVectors.buffer(file)
        let frame = try RequestFrame.read(from: &input)
        let args = Array(frame.args.readableBytesView)
        for length in 0..<args.count {
            let cut = RequestFrame.make(
                header: frame.header, name: frame.message.name, seqid: 1, rawArgs: ByteBuffer(bytes: args[..<length])
            )
            #expect(throws: WireError.self, "prefix \(length)") {
                switch frame.message.name {
                case RpcName.queryConfig: _ = try cut.decodeArgs(QueryConfigRequest.self)
                case RpcName.listApps: _ = try cut.decodeArgs(ListAppsRequest.self)
                case RpcName.negotiation: _ = try cut.decodeArgs(NegotiationRequest.self)
                default: _ = try cut.decodeArgs(DuplicationQueryRequest.self)
                }
            }
        }
    }

    @Test("reply bodies: every prefix fails to decode, peek and schema-skip", arguments: GoldenVectors.responseFiles)
    func bodyPrefixes(file: String) throws {
        var input = try GoldenVectors.buffer(file)
        let frame = try ResponseFrame.read(from: &input)
        let body = Array(frame.body.readableBytesView)
        let schema: ThriftSchema
        switch frame.message.name {
        case RpcName.ack(RpcName.queryConfig): schema = QueryConfigResponse.schema
        case RpcName.ack(RpcName.listApps): schema = ListAppsResponse.schema
        case RpcName.ack(RpcName.negotiation): schema = NegotiationResponse.schema
        case RpcName.ack(RpcName.queryDuplication): schema = DuplicationQueryResponse.schema
        default: schema = .structure([:])
        }
        // The whole body skips cleanly by schema.
        if !body.isEmpty {
            var whole = ThriftReader(frame.body)
            try whole.skip(.structure([0: schema]))
            #expect(whole.remainingBytes == 0)
        }

        for length in 0..<body.count {
            let cut = ByteBuffer(bytes: body[..<length])
            let prefix = ResponseFrame(errorName: frame.errorName, message: frame.message, body: cut)
            #expect(throws: WireError.self, "prefix \(length)") {
                switch frame.message.name {
                case RpcName.ack(RpcName.queryConfig): _ = try prefix.decodeResult(QueryConfigResponse.self)
                case RpcName.ack(RpcName.listApps): _ = try prefix.decodeResult(ListAppsResponse.self)
                case RpcName.ack(RpcName.negotiation): _ = try prefix.decodeResult(NegotiationResponse.self)
                default: _ = try prefix.decodeResult(DuplicationQueryResponse.self)
                }
            }
            var reader = ThriftReader(cut)
            #expect(throws: WireError.self) { try reader.skip(.structure([0: schema])) }
            if frame.message.name == RpcName.ack(RpcName.queryConfig) {
                // A peek may stop early, but must never trap; on short input it either throws or
                // has already seen what it needs.
                _ = try? QueryConfigResponse.peekForward(body: cut)
                _ = try? QueryConfigResponse.peekError(body: cut)
            }
        }
    }

    @Test("primitive readers on short input throw .truncated")
    func primitives() {
        func expectTruncated(_ bytes: [UInt8], _ read: (inout ThriftReader) throws(WireError) -> Void) {
            var reader = ThriftReader(ByteBuffer(bytes: bytes))
            let error = #expect(throws: WireError.self) { try read(&reader) }
            #expect(error?.code == .truncated)
        }
        expectTruncated([]) { r throws(WireError) in _ = try r.readBool() }
        expectTruncated([]) { r throws(WireError) in _ = try r.readByte() }
        expectTruncated([0]) { r throws(WireError) in _ = try r.readI16() }
        expectTruncated([0, 0, 0]) { r throws(WireError) in _ = try r.readI32() }
        expectTruncated([0, 0, 0, 0, 0, 0, 0]) { r throws(WireError) in _ = try r.readI64() }
        expectTruncated([0, 0, 0, 0, 0, 0, 0]) { r throws(WireError) in _ = try r.readDouble() }
        expectTruncated([0, 0, 0, 2, 65]) { r throws(WireError) in _ = try r.readString() }
        expectTruncated([0, 0, 0, 2, 65]) { r throws(WireError) in _ = try r.readBinary() }
        expectTruncated([0, 0, 0, 2, 65]) { r throws(WireError) in _ = try r.readBytes() }
        expectTruncated([8, 0]) { r throws(WireError) in _ = try r.readFieldHeader() }
        expectTruncated([8, 0, 0]) { r throws(WireError) in _ = try r.readListHeader() }
        expectTruncated([8, 0, 0, 0, 1]) { r throws(WireError) in _ = try r.readSetHeader() }
        expectTruncated([8, 8, 0, 0, 0]) { r throws(WireError) in _ = try r.readMapHeader() }
        expectTruncated([0x80, 1, 0, 1, 0, 0, 0, 1, 65, 0, 0]) { r throws(WireError) in _ = try r.readMessageBegin() }
        expectTruncated([0, 0, 0, 1, 65]) { r throws(WireError) in _ = try r.readMessageBegin() }
        expectTruncated([0, 0, 0, 5]) { r throws(WireError) in _ = try r.readMessageBegin() }
        expectTruncated([3]) { r throws(WireError) in _ = try r.readSlice(length: 2) }
        expectTruncated([0, 0, 0]) { r throws(WireError) in _ = try RpcAddress(from: &r) }
        expectTruncated([0, 0, 0, 1, 104, 0]) { r throws(WireError) in _ = try HostPort(from: &r) }
        expectTruncated([0, 0, 0, 1, 104, 0, 1]) { r throws(WireError) in _ = try HostPort(from: &r) }
    }
}

import NIOCore
import PegasusWire
import Testing

@Suite("Corrupt and hostile input")
struct CorruptionTests {
    static func request(_ file: String = "req_query_cfg_v0_pypegasus3.hex") throws -> [UInt8] {
        try GoldenVectors.bytes(file)
    }

    /// Feeds `bytes` to a request decoder and returns the error code it throws.
    func requestDecoderError(_ bytes: [UInt8], maxFrameBytes: Int = 1 << 20) -> WireError.Code? {
        var decoder = RequestFrameDecoder(maxFrameBytes: maxFrameBytes)
        var buffer = ByteBuffer(bytes: bytes)
        let error = #expect(throws: WireError.self) { _ = try decoder.decode(buffer: &buffer) }
        return error?.code
    }

    func responseDecoderError(_ bytes: [UInt8], maxFrameBytes: Int = 1 << 20) -> WireError.Code? {
        var decoder = ResponseFrameDecoder(maxFrameBytes: maxFrameBytes)
        var buffer = ByteBuffer(bytes: bytes)
        let error = #expect(throws: WireError.self) { _ = try decoder.decode(buffer: &buffer) }
        return error?.code
    }

    func setI32(_ bytes: inout [UInt8], at offset: Int, _ value: Int32) {
        let bits = UInt32(bitPattern: value)
        for index in 0..<4 {
            bytes[offset + index] = UInt8(truncatingIfNeeded: bits >> (24 - 8 * index))
        }
    }

    @Test("bad magic is rejected from the first wrong byte")
    func badMagic() throws {
        var bytes = try Self.request()
        bytes[0] = UInt8(ascii: "R")
        #expect(requestDecoderError(Array(bytes[..<1])) == .badMagic)
        #expect(requestDecoderError(bytes) == .badMagic)
        #expect(requestDecoderError(Array("GET / HTTP/1.1\r\n".utf8)) == .badMagic)
        #expect(requestDecoderError(Array("THFX".utf8)) == .badMagic)
        var http = ByteBuffer(string: "GET / HTTP/1.1\r\n")
        let error = #expect(throws: WireError.self) { try RequestFrame.read(from: &http) }
        #expect(error?.offset == 0)
        #expect(error?.detail.contains("47 45 54 20") == true)
    }

    @Test("header version 2 is rejected")
    func version2() throws {
        var bytes = try Self.request()
        setI32(&bytes, at: 4, 2)
        #expect(requestDecoderError(Array(bytes[..<8])) == .badHeaderVersion)
        setI32(&bytes, at: 4, -1)
        #expect(requestDecoderError(bytes) == .badHeaderVersion)
    }

    @Test("v0 hdr_length other than 48 is rejected", arguments: [Int32(47), 49, 0, -48])
    func headerLength(value: Int32) throws {
        var bytes = try Self.request()
        setI32(&bytes, at: 8, value)
        #expect(requestDecoderError(Array(bytes[..<12])) == .badHeaderLength)
    }

    @Test("negative body and meta lengths are rejected")
    func negativeFrameLengths() throws {
        var v0 = try Self.request()
        setI32(&v0, at: 16, -1)
        #expect(requestDecoderError(Array(v0[..<20])) == .negativeLength)
        var v1 = try Self.request("req_query_cfg_v1_javalayout.hex")
        setI32(&v1, at: 8, -5)
        #expect(requestDecoderError(Array(v1[..<12])) == .negativeLength)
        v1 = try Self.request("req_query_cfg_v1_javalayout.hex")
        setI32(&v1, at: 12, Int32.min)
        #expect(requestDecoderError(Array(v1[..<16])) == .negativeLength)
        var reply = try GoldenVectors.bytes("resp_query_cfg_ok.hex")
        setI32(&reply, at: 0, -1)
        #expect(responseDecoderError(Array(reply[..<4])) == .negativeLength)
    }

    @Test("a reply total_length below its fixed parts is rejected", arguments: [Int32(0), 4, 19])
    func replyTooShort(total: Int32) throws {
        var reply = try GoldenVectors.bytes("resp_query_cfg_ok.hex")
        setI32(&reply, at: 0, total)
        #expect(responseDecoderError(Array(reply[..<4])) == .badFrameLength)
    }

    @Test("a REPLY (or EXCEPTION) message inside a request is rejected", arguments: [UInt8(2), 3])
    func replyInRequest(type: UInt8) throws {
        var bytes = try Self.request()
        bytes[51] = type
        #expect(requestDecoderError(bytes) == .badMessageType)
        var v1 = try Self.request("req_query_cfg_v1_javalayout.hex")
        v1[16 + 37 + 3] = type
        #expect(requestDecoderError(v1) == .badMessageType)
    }

    @Test("a CALL message inside a reply is rejected")
    func callInReply() throws {
        var reply = try GoldenVectors.bytes("resp_query_cfg_ok.hex")
        reply[17] = 1
        #expect(responseDecoderError(reply) == .badMessageType)
    }

    @Test("undefined message types and versions are rejected")
    func undefinedMessageType() throws {
        var bytes = try Self.request()
        bytes[51] = 9
        #expect(requestDecoderError(bytes) == .badMessageType)
        bytes = try Self.request()
        bytes[49] = 2  // 0x8002_0001: wrong version
        #expect(requestDecoderError(bytes) == .badMessageVersion)
    }

    @Test("a non-strict message begin is accepted, as the C++ server does")
    func nonStrictMessageBegin() throws {
        var body = ByteBuffer()
        body.writeThriftI32(Int32(RpcName.queryConfig.utf8.count))
        body.writeString(RpcName.queryConfig)
        body.writeInteger(ThriftMessageType.call.rawValue)
        body.writeThriftI32(5)
        let argsStart = body.writerIndex
        body.writeThriftFieldHeader(.struct, id: 1)
        QueryConfigRequest(appName: "t").write(to: &body)
        body.writeThriftStop()
        var frameBytes = ByteBuffer()
        RequestHeader().write(bodyLength: body.readableBytes, into: &frameBytes)
        frameBytes.writeImmutableBuffer(body)
        let encoded = frameBytes
        let frame = try RequestFrame.read(from: &frameBytes)
        #expect(frame.message == ThriftMessageHeader(name: RpcName.queryConfig, type: .call, seqid: 5))
        #expect(frame.args.readableBytes == body.readableBytes - argsStart)
        #expect(try frame.decodeArgs(QueryConfigRequest.self) == QueryConfigRequest(appName: "t"))
        var again = ByteBuffer()
        frame.encode(into: &again)
        #expect(again == encoded)
    }

    @Test("a negative string length is rejected")
    func negativeStringLength() throws {
        var bytes = try Self.request()
        setI32(&bytes, at: 52, -1)  // the message name's length
        #expect(requestDecoderError(bytes) == .negativeLength)

        bytes = try Self.request()
        setI32(&bytes, at: 104, -2)  // app_name's length inside the args
        var buffer = ByteBuffer(bytes: bytes)
        let frame = try RequestFrame.read(from: &buffer)
        let error = #expect(throws: WireError.self) { try frame.decodeArgs(QueryConfigRequest.self) }
        #expect(error?.code == .negativeLength)
        #expect(error?.offset == 104 - 98)
    }

    @Test("a string length past the end is truncated, not allocated")
    func hugeStringLength() throws {
        var reply = try GoldenVectors.bytes("resp_query_cfg_ok.hex")
        setI32(&reply, at: 4, Int32.max)  // the envelope error name's length
        let code = responseDecoderError(reply)
        #expect(code == .truncated)
    }

    @Test("a huge list count is rejected before any element is read")
    func hugeListCount() throws {
        var bytes = try Self.request()
        setI32(&bytes, at: 116, Int32.max)  // partition_indices count
        var buffer = ByteBuffer(bytes: bytes)
        let frame = try RequestFrame.read(from: &buffer)
        let error = #expect(throws: WireError.self) { try frame.decodeArgs(QueryConfigRequest.self) }
        #expect(error?.code == .truncated)

        setI32(&bytes, at: 116, -1)
        buffer = ByteBuffer(bytes: bytes)
        let negative = try RequestFrame.read(from: &buffer)
        let negativeError = #expect(throws: WireError.self) { try negative.decodeArgs(QueryConfigRequest.self) }
        #expect(negativeError?.code == .negativeLength)

        for header: [UInt8] in [[8, 0x7f, 0xff, 0xff, 0xff], [13, 11, 11, 0x7f, 0xff, 0xff, 0xff]] {
            var reader = ThriftReader(ByteBuffer(bytes: header + [0, 0, 0, 0]))
            let skipError = #expect(throws: WireError.self) {
                try reader.skip(header.count == 5 ? .list : .map)
            }
            #expect(skipError?.code == .truncated)
        }
    }

    @Test("a list of many stop-typed elements is an invalid type, not a busy loop")
    func stopElements() {
        var reader = ThriftReader(ByteBuffer(bytes: [0, 0x7f, 0xff, 0xff, 0xff]))
        let error = #expect(throws: WireError.self) { try reader.skip(.list) }
        #expect(error?.code == .invalidType)
        var empty = ThriftReader(ByteBuffer(bytes: [0, 0, 0, 0, 0]))
        #expect(throws: Never.self) { try empty.skip(.list) }
    }

    @Test("nesting 1000 deep is rejected", arguments: [ThriftType.list, .set, .map, .struct])
    func deepNesting(kind: ThriftType) throws {
        var nested = ByteBuffer()
        for _ in 0..<1000 {
            switch kind {
            case .struct: nested.writeThriftFieldHeader(.struct, id: 1)
            case .map: nested.writeThriftMapHeader(keyType: .i32, valueType: .map, count: 1); nested.writeThriftI32(0)
            default: nested.writeThriftListHeader(kind, count: 1)
            }
        }
        // Whatever follows never gets read.
        nested.writeRepeatingByte(0, count: 1000)

        var reader = ThriftReader(nested)
        let error = #expect(throws: WireError.self) { try reader.skip(kind) }
        #expect(error?.code == .nestingTooDeep)

        // The same value as an unknown field of a request's args.
        var args = ByteBuffer()
        args.writeThriftFieldHeader(.struct, id: 1)
        args.writeThriftFieldHeader(kind, id: 99)
        args.writeImmutableBuffer(nested)
        let frame = RequestFrame.make(header: RequestHeader(), name: RpcName.queryConfig, seqid: 1, rawArgs: args)
        let argsError = #expect(throws: WireError.self) { try frame.decodeArgs(QueryConfigRequest.self) }
        #expect(argsError?.code == .nestingTooDeep)

        // And skipped by schema.
        var schemaReader = ThriftReader(args)
        let schemaError = #expect(throws: WireError.self) {
            try schemaReader.skip(.structure([1: QueryConfigRequest.schema]))
        }
        #expect(schemaError?.code == .nestingTooDeep)
    }

    @Test("nesting up to the limit is accepted")
    func nestingAtLimit() throws {
        var nested = ByteBuffer()
        for _ in 0..<(ThriftReader.defaultMaxDepth - 1) {
            nested.writeThriftListHeader(.list, count: 1)
        }
        nested.writeThriftListHeader(.i32, count: 0)
        var reader = ThriftReader(nested)
        try reader.skip(.list)
        #expect(reader.remainingBytes == 0)
    }

    @Test("undefined type ids are rejected", arguments: [UInt8(1), 5, 7, 9, 16, 255])
    func invalidTypeIds(id: UInt8) {
        var field = ThriftReader(ByteBuffer(bytes: [id, 0, 1]))
        #expect((#expect(throws: WireError.self) { try field.readFieldHeader() })?.code == .invalidType)
        var list = ThriftReader(ByteBuffer(bytes: [id, 0, 0, 0, 0]))
        #expect((#expect(throws: WireError.self) { try list.readListHeader() })?.code == .invalidType)
        var map = ThriftReader(ByteBuffer(bytes: [8, id, 0, 0, 0, 0]))
        #expect((#expect(throws: WireError.self) { try map.readMapHeader() })?.code == .invalidType)
    }

    @Test("a list whose element type differs from the schema is rejected")
    func elementTypeMismatch() {
        var buffer = ByteBuffer()
        buffer.writeThriftFieldHeader(.list, id: 2)
        buffer.writeThriftListHeader(.string, count: 1)
        buffer.writeThriftString("x")
        buffer.writeThriftStop()
        var reader = ThriftReader(buffer)
        let error = #expect(throws: WireError.self) { try QueryConfigRequest(from: &reader) }
        #expect(error?.code == .invalidType)
        #expect(error?.offset == 3)
    }

    @Test(
        "frames at maxFrameBytes decode; one byte above is rejected from the header alone",
        arguments: GoldenVectors.requestFiles)
    func requestFrameSize(file: String) throws {
        let bytes = try GoldenVectors.bytes(file)
        var decoder = RequestFrameDecoder(maxFrameBytes: bytes.count)
        var buffer = ByteBuffer(bytes: bytes)
        #expect(try decoder.decode(buffer: &buffer) != nil)
        let headerBytes = bytes[4..<8] == [0, 0, 0, 0] ? 20 : 16
        #expect(requestDecoderError(Array(bytes[..<headerBytes]), maxFrameBytes: bytes.count - 1) == .frameTooLarge)
        #expect(requestDecoderError(bytes, maxFrameBytes: bytes.count - 1) == .frameTooLarge)
    }

    @Test(
        "reply frames at maxFrameBytes decode; above is rejected from the length prefix",
        arguments: GoldenVectors.responseFiles)
    func responseFrameSize(file: String) throws {
        let bytes = try GoldenVectors.bytes(file)
        var decoder = ResponseFrameDecoder(maxFrameBytes: bytes.count)
        var buffer = ByteBuffer(bytes: bytes)
        #expect(try decoder.decode(buffer: &buffer) != nil)
        #expect(responseDecoderError(Array(bytes[..<4]), maxFrameBytes: bytes.count - 1) == .frameTooLarge)
    }

    @Test("a 2 GiB frame header is rejected without waiting for the body")
    func hugeFrame() {
        var header = ByteBuffer()
        RequestHeader().write(bodyLength: Int(Int32.max), into: &header)
        #expect(requestDecoderError(Array(header.readableBytesView), maxFrameBytes: 1 << 24) == .frameTooLarge)
        #expect(responseDecoderError([0x7f, 0xff, 0xff, 0xff], maxFrameBytes: 1 << 24) == .frameTooLarge)
    }

    @Test("a reply whose error name overruns the frame is truncated")
    func errorNameOverrun() throws {
        var reply = try GoldenVectors.bytes("resp_handler_not_found.hex")
        setI32(&reply, at: 4, 100)
        #expect(responseDecoderError(reply) == .truncated)
    }

    @Test("a v1 meta struct that overruns its meta_length is truncated")
    func metaOverrun() throws {
        var v1 = try Self.request("req_query_cfg_v1_javalayout.hex")
        // Shrink meta_length by 1 and grow body_length by 1: the meta loses its stop byte.
        setI32(&v1, at: 8, 36)
        setI32(&v1, at: 12, 75)
        let code = requestDecoderError(v1)
        #expect(code == .truncated)
    }

    @Test("errors describe code and offset")
    func description() {
        let error = WireError(.badMagic, offset: 2, detail: "frame does not start with THFT")
        #expect(error.description == "WireError(badMagic) at offset 2: frame does not start with THFT")
        #expect(WireError(.missingField, detail: "x").description == "WireError(missingField): x")
    }
}

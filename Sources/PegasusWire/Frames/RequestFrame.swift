import NIOCore

/// One THFT request frame: header, Thrift message header, and the message bytes
/// (docs/pegasus-reference.md §3).
///
/// `body` and `args` are slices of the received buffer (no copy). A decoded frame re-encodes
/// byte for byte.
public struct RequestFrame: Equatable, Sendable {
    /// The THFT header.
    public let header: RequestHeader
    /// The Thrift message begin (name, CALL/ONEWAY, seqid).
    public let message: ThriftMessageHeader
    /// The whole Thrift message: message begin + args struct.
    public let body: ByteBuffer
    /// The args struct alone (the part of `body` after the message begin).
    public let args: ByteBuffer

    /// Wraps already-validated parts; `args` must be the tail of `body` after `message`.
    init(header: RequestHeader, message: ThriftMessageHeader, body: ByteBuffer, args: ByteBuffer) {
        self.header = header
        self.message = message
        self.body = body
        self.args = args
    }

    // MARK: Building and writing

    /// Builds a frame whose args struct holds `args` as field 1 (docs/pegasus-reference.md §3.4).
    /// - Parameters:
    ///   - header: The THFT header to send.
    ///   - name: The RPC name, e.g. `RpcName.queryConfig`.
    ///   - type: CALL (default) or ONEWAY.
    ///   - seqid: The sequence id.
    ///   - args: The request struct.
    public static func make(
        header: RequestHeader,
        name: String,
        type: ThriftMessageType = .call,
        seqid: Int32,
        args: some ThriftEncodable
    ) -> RequestFrame {
        var argsBuffer = ByteBuffer()
        argsBuffer.writeThriftFieldHeader(.struct, id: 1)
        args.write(to: &argsBuffer)
        argsBuffer.writeThriftStop()
        return make(header: header, name: name, type: type, seqid: seqid, rawArgs: argsBuffer)
    }

    /// Builds a frame from an already-encoded args struct (field header, request, stop).
    public static func make(
        header: RequestHeader,
        name: String,
        type: ThriftMessageType = .call,
        seqid: Int32,
        rawArgs: ByteBuffer
    ) -> RequestFrame {
        let message = ThriftMessageHeader(name: name, type: type, seqid: seqid)
        var body = ByteBuffer()
        body.reserveCapacity(message.strictEncodedSize + rawArgs.readableBytes)
        body.writeThriftMessageBegin(message)
        let argsStart = body.writerIndex
        body.writeImmutableBuffer(rawArgs)
        let args = body.getSlice(at: argsStart, length: rawArgs.readableBytes) ?? rawArgs
        return RequestFrame(header: header, message: message, body: body, args: args)
    }

    /// Writes the frame: header, then `body` verbatim.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: RequestHeader.v0Length + body.readableBytes)
        header.write(bodyLength: body.readableBytes, into: &buffer)
        buffer.writeImmutableBuffer(body)
    }

    /// Writes a request frame (v0 or v1, per `header`) from an already-encoded args struct, without
    /// building a `RequestFrame`: the proxy re-sends a client's args under its own seqid this way.
    /// - Parameters:
    ///   - header: The THFT header (usually v0).
    ///   - name: The RPC name.
    ///   - type: CALL (default) or ONEWAY.
    ///   - seqid: The sequence id to send.
    ///   - args: The args struct bytes (e.g. a received frame's `args`), copied verbatim.
    ///   - buffer: Where to write.
    public static func write(
        header: RequestHeader,
        name: String,
        type: ThriftMessageType = .call,
        seqid: Int32,
        args: ByteBuffer,
        into buffer: inout ByteBuffer
    ) {
        let nameLength = name.utf8.count
        let bodyLength = 4 + 4 + nameLength + 4 + args.readableBytes
        buffer.reserveCapacity(minimumWritableBytes: RequestHeader.v0Length + bodyLength)
        header.write(bodyLength: bodyLength, into: &buffer)
        buffer.writeThriftMessageBegin(ThriftMessageHeader(name: name, type: type, seqid: seqid))
        buffer.writeImmutableBuffer(args)
    }

    // MARK: Reading

    /// Decodes the request struct from the args the way rDSN does: one field header (id and type
    /// not checked), the struct, then one more field header, normally the args' stop, also not
    /// checked (docs/pegasus-reference.md §3.4). Error offsets count from the start of `args`.
    /// - Throws: `.missingField` when the args struct is empty; `WireError` on malformed bytes.
    public func decodeArgs<T: ThriftDecodable>(_: T.Type) throws(WireError) -> T {
        var reader = ThriftReader(args)
        try reader.enterArgsRequest()
        let value = try T(from: &reader)
        // rDSN reads one more field header (the args' stop) and does not look at it.
        _ = try reader.readFieldHeader()
        return value
    }

    /// How many bytes the frame at the reader index of `buffer` takes, once enough of its header
    /// is there to tell; `nil` while more bytes are needed.
    ///
    /// Magic, header version, v0 `hdr_length`, negative lengths and the frame size are checked as
    /// soon as their bytes are present, so a bad or oversized frame is rejected before it is buffered.
    /// - Throws: `.badMagic`, `.badHeaderVersion`, `.badHeaderLength`, `.negativeLength`, `.frameTooLarge`.
    public static func frameLength(peeking buffer: ByteBuffer, maxFrameBytes: Int) throws(WireError) -> Int? {
        let start = buffer.readerIndex
        let available = buffer.readableBytes
        let magic = RequestHeader.magic
        // The usual case in one read; byte by byte only to tell where a short or bad prefix goes wrong.
        let magicChecked = available >= 4 && buffer.getInteger(at: start, as: UInt32.self) == magic
        for index in 0..<(magicChecked ? 0 : min(4, available)) {
            let expected = UInt8(truncatingIfNeeded: magic >> (24 - 8 * index))
            guard buffer.getInteger(at: start + index, as: UInt8.self) == expected else {
                let seen = buffer.getBytes(at: start, length: min(4, available)) ?? []
                let hex = seen.map { String($0, radix: 16) }.joined(separator: " ")
                throw WireError(.badMagic, offset: index, detail: "frame starts with [\(hex)], not THFT")
            }
        }
        guard let version = buffer.getInteger(at: start + 4, as: Int32.self) else {
            return nil
        }
        switch version {
        case 0:
            guard let headerLength = buffer.getInteger(at: start + 8, as: Int32.self) else {
                return nil
            }
            guard headerLength == RequestHeader.v0Length else {
                throw WireError(.badHeaderLength, offset: 8, detail: "v0 hdr_length \(headerLength), must be 48")
            }
            guard let bodyLength = buffer.getInteger(at: start + 16, as: Int32.self) else {
                return nil
            }
            guard bodyLength >= 0 else {
                throw WireError(.negativeLength, offset: 16, detail: "body_length \(bodyLength)")
            }
            return try checkSize(RequestHeader.v0Length + Int(bodyLength), maxFrameBytes: maxFrameBytes)
        case 1:
            guard let metaLength = buffer.getInteger(at: start + 8, as: Int32.self) else {
                return nil
            }
            guard metaLength >= 0 else {
                throw WireError(.negativeLength, offset: 8, detail: "meta_length \(metaLength)")
            }
            _ = try checkSize(RequestHeader.v1FixedLength + Int(metaLength), maxFrameBytes: maxFrameBytes)
            guard let bodyLength = buffer.getInteger(at: start + 12, as: Int32.self) else {
                return nil
            }
            guard bodyLength >= 0 else {
                throw WireError(.negativeLength, offset: 12, detail: "body_length \(bodyLength)")
            }
            let total = RequestHeader.v1FixedLength + Int(metaLength) + Int(bodyLength)
            return try checkSize(total, maxFrameBytes: maxFrameBytes)
        default:
            throw WireError(.badHeaderVersion, offset: 4, detail: "header version \(version), must be 0 or 1")
        }
    }

    private static func checkSize(_ total: Int, maxFrameBytes: Int) throws(WireError) -> Int {
        guard total <= maxFrameBytes else {
            throw WireError(.frameTooLarge, offset: 0, detail: "frame of \(total) bytes exceeds \(maxFrameBytes)")
        }
        return total
    }

    /// Reads one whole frame from `buffer`, consuming it; `body` and `args` are slices of `buffer`.
    ///
    /// Unlike `RequestFrameDecoder`, short input is an error here.
    /// - Throws: `.truncated` when the frame is incomplete; any header error of `frameLength`;
    ///   `.badMessageType` when the message is not CALL or ONEWAY; errors of the message begin or
    ///   the v1 meta struct. Offsets count from the start of the frame.
    public static func read(
        from buffer: inout ByteBuffer,
        maxFrameBytes: Int = .max
    ) throws(WireError) -> RequestFrame {
        guard let total = try frameLength(peeking: buffer, maxFrameBytes: maxFrameBytes) else {
            throw WireError(.truncated, offset: buffer.readableBytes, detail: "request header incomplete")
        }
        return try read(from: &buffer, frameLength: total)
    }

    /// Reads the frame of `total` bytes (as ``frameLength(peeking:maxFrameBytes:)`` found) at the
    /// reader index of `buffer`, consuming it.
    static func read(from buffer: inout ByteBuffer, frameLength total: Int) throws(WireError) -> RequestFrame {
        guard let frame = buffer.getSlice(at: buffer.readerIndex, length: total) else {
            throw WireError(
                .truncated,
                offset: buffer.readableBytes,
                detail: "request frame of \(total) bytes, \(buffer.readableBytes) present"
            )
        }
        let decoded = try parse(frame: frame)
        buffer.moveReaderIndex(forwardBy: total)
        return decoded
    }

    /// Parses a complete frame whose length `frameLength` already checked.
    private static func parse(frame: ByteBuffer) throws(WireError) -> RequestFrame {
        let start = frame.readerIndex
        let header: RequestHeader
        let bodyOffset: Int
        // frameLength checked magic, version and the length fields, and that the frame holds them.
        let version = frame.getInteger(at: start + 4, as: Int32.self) ?? 0
        if version == 0 {
            header = RequestHeader(
                version: .v0,
                appId: frame.getInteger(at: start + 24) ?? 0,
                partitionIndex: frame.getInteger(at: start + 28) ?? 0,
                clientTimeout: frame.getInteger(at: start + 32) ?? 0,
                threadHash: frame.getInteger(at: start + 36) ?? 0,
                partitionHash: frame.getInteger(at: start + 40) ?? 0,
                hdrCRC32: frame.getInteger(at: start + 12) ?? 0,
                bodyCRC32: frame.getInteger(at: start + 20) ?? 0
            )
            bodyOffset = RequestHeader.v0Length
        } else {
            let metaLength = Int(frame.getInteger(at: start + 8, as: Int32.self) ?? 0)
            let metaBytes = frame.getSlice(at: start + RequestHeader.v1FixedLength, length: metaLength) ?? ByteBuffer()
            var metaReader = ThriftReader(metaBytes, baseOffset: RequestHeader.v1FixedLength)
            header = RequestHeader(meta: try RequestMetaV1(from: &metaReader))
            bodyOffset = RequestHeader.v1FixedLength + metaLength
        }
        let body = frame.getSlice(at: start + bodyOffset, length: frame.readableBytes - bodyOffset) ?? ByteBuffer()
        var reader = ThriftReader(body, baseOffset: bodyOffset)
        let message = try reader.readMessageBegin()
        guard message.type == .call || message.type == .oneway else {
            throw WireError(
                .badMessageType,
                offset: bodyOffset,
                detail: "request message type \(message.type), must be CALL or ONEWAY"
            )
        }
        return RequestFrame(header: header, message: message, body: body, args: reader.buffer)
    }
}

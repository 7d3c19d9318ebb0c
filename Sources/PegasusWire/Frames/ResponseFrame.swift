import NIOCore

/// One reply frame from a MetaServer to a Thrift client (docs/pegasus-reference.md §4):
/// i32 total length (counting itself), envelope error name, message begin `<name>_ACK` / REPLY /
/// seqid, then the result struct when the handler produced one.
///
/// `body` is a slice of the received buffer (no copy) holding the result struct, or empty.
public struct ResponseFrame: Equatable, Sendable {
    /// The rDSN-level envelope error, `ERR_OK` for handled requests.
    public var errorName: String
    /// The reply's message begin: `<request name>_ACK`, REPLY, the request's seqid.
    public var message: ThriftMessageHeader
    /// The result struct (`0c 0000 <response> 00 00`), or empty when the server sent none.
    public var body: ByteBuffer

    /// The smallest valid frame: length, empty error name, strict message begin with an empty name.
    public static let minimumFrameLength = 4 + 4 + 12

    /// Creates a frame.
    public init(errorName: String, message: ThriftMessageHeader, body: ByteBuffer = ByteBuffer()) {
        self.errorName = errorName
        self.message = message
        self.body = body
    }

    // MARK: Building and writing

    /// A reply with envelope `ERR_OK` whose result field 0 holds `result`.
    /// - Parameters:
    ///   - requestName: The request's RPC name; the reply is named `<requestName>_ACK`.
    ///   - seqid: The request's seqid.
    ///   - result: The response struct.
    public static func reply<T: ThriftEncodable>(requestName: String, seqid: Int32, result: T) -> ResponseFrame {
        var body = ByteBuffer()
        body.writeThriftFieldHeader(.struct, id: 0)
        result.write(to: &body)
        body.writeThriftStop()
        return ResponseFrame(
            errorName: ErrorCode.ok.name,
            message: ThriftMessageHeader(name: RpcName.ack(requestName), type: .reply, seqid: seqid),
            body: body
        )
    }

    /// What rDSN answers for an RPC name it cannot dispatch: envelope `ERR_HANDLER_NOT_FOUND`,
    /// `<requestName>_ACK`, REPLY, the request's seqid, no body (docs/pegasus-reference.md §6.3).
    public static func handlerNotFound(requestName: String, seqid: Int32) -> ResponseFrame {
        ResponseFrame(
            errorName: ErrorCode.handlerNotFound.name,
            message: ThriftMessageHeader(name: RpcName.ack(requestName), type: .reply, seqid: seqid)
        )
    }

    /// Writes this frame.
    public func encode(into buffer: inout ByteBuffer) {
        Self.write(errorName: errorName, message: message, body: body, into: &buffer)
    }

    /// Writes this frame under another seqid: the relay path (the body is copied once).
    public func encode(seqid: Int32, into buffer: inout ByteBuffer) {
        var message = self.message
        message.seqid = seqid
        Self.write(errorName: errorName, message: message, body: body, into: &buffer)
    }

    /// Writes a REPLY frame: total length (counting its own 4 bytes), error name, strict message
    /// begin, then `body` verbatim.
    /// - Parameters:
    ///   - errorName: The envelope error, e.g. `ERR_OK`.
    ///   - name: The reply name as sent (already ending in `_ACK`).
    ///   - seqid: The request's seqid.
    ///   - body: The result struct bytes, or `nil` for none.
    ///   - buffer: Where to write.
    public static func write(
        errorName: String,
        name: String,
        seqid: Int32,
        body: ByteBuffer?,
        into buffer: inout ByteBuffer
    ) {
        write(
            errorName: errorName,
            message: ThriftMessageHeader(name: name, type: .reply, seqid: seqid),
            body: body,
            into: &buffer
        )
    }

    private static func write(
        errorName: String,
        message: ThriftMessageHeader,
        body: ByteBuffer?,
        into buffer: inout ByteBuffer
    ) {
        let bodyLength = body?.readableBytes ?? 0
        let total = 4 + 4 + errorName.utf8.count + message.strictEncodedSize + bodyLength
        buffer.reserveCapacity(minimumWritableBytes: total)
        buffer.writeMultipleIntegers(Int32(truncatingIfNeeded: total), Int32(truncatingIfNeeded: errorName.utf8.count))
        buffer.writeUTF8(errorName)
        buffer.writeThriftMessageBegin(message)
        if let body {
            buffer.writeImmutableBuffer(body)
        }
    }

    // MARK: Reading

    /// Decodes result field 0 ("success") of the body as `T`.
    /// - Throws: `.missingField` when there is no body or no field 0; errors from decoding `T`.
    ///   Offsets count from the start of `body`.
    public func decodeResult<T: ThriftDecodable>(_: T.Type) throws(WireError) -> T {
        var reader = ThriftReader(body)
        try reader.enterResultSuccess()
        let value = try T(from: &reader)
        while let field = try reader.readFieldHeader() {
            try reader.skip(field.type)
        }
        return value
    }

    /// How many bytes the frame at the reader index of `buffer` takes; `nil` while its length
    /// prefix is incomplete.
    /// - Throws: `.negativeLength`, `.badFrameLength` (shorter than its fixed parts), `.frameTooLarge`.
    public static func frameLength(peeking buffer: ByteBuffer, maxFrameBytes: Int) throws(WireError) -> Int? {
        guard let total = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else {
            return nil
        }
        guard total >= 0 else {
            throw WireError(.negativeLength, offset: 0, detail: "total_length \(total)")
        }
        guard Int(total) >= minimumFrameLength else {
            throw WireError(
                .badFrameLength,
                offset: 0,
                detail: "total_length \(total) is below the minimum \(minimumFrameLength)"
            )
        }
        guard Int(total) <= maxFrameBytes else {
            throw WireError(.frameTooLarge, offset: 0, detail: "frame of \(total) bytes exceeds \(maxFrameBytes)")
        }
        return Int(total)
    }

    /// Reads one whole frame from `buffer`, consuming it; `body` is a slice of `buffer`.
    ///
    /// Unlike `ResponseFrameDecoder`, short input is an error here.
    /// - Throws: `.truncated` when the frame is incomplete or its parts overrun it; length errors of
    ///   `frameLength`; `.badMessageType` when the message is not REPLY or EXCEPTION. Offsets count
    ///   from the start of the frame.
    public static func read(
        from buffer: inout ByteBuffer,
        maxFrameBytes: Int = .max
    ) throws(WireError) -> ResponseFrame {
        guard let total = try frameLength(peeking: buffer, maxFrameBytes: maxFrameBytes) else {
            throw WireError(.truncated, offset: buffer.readableBytes, detail: "reply length prefix incomplete")
        }
        guard let frame = buffer.getSlice(at: buffer.readerIndex + 4, length: total - 4) else {
            throw WireError(
                .truncated,
                offset: buffer.readableBytes,
                detail: "reply frame of \(total) bytes, \(buffer.readableBytes) present"
            )
        }
        var reader = ThriftReader(frame, baseOffset: 4)
        let errorName = try reader.readString()
        let messageOffset = reader.offset
        let message = try reader.readMessageBegin()
        guard message.type == .reply || message.type == .exception else {
            throw WireError(
                .badMessageType,
                offset: messageOffset,
                detail: "reply message type \(message.type), must be REPLY or EXCEPTION"
            )
        }
        buffer.moveReaderIndex(forwardBy: total)
        return ResponseFrame(errorName: errorName, message: message, body: reader.buffer)
    }

    /// The bytes every `ERR_OK` query-config reply starts with after its length: envelope error,
    /// strict REPLY message begin, the ACK name (the seqid follows).
    private static let queryConfigOKHead = ResponseFrameTemplate.queryConfigOK.head

    /// Reads the frame of `total` bytes at the reader index of `buffer` if it is an `ERR_OK`
    /// query-config reply (nearly every reply a MetaServer sends the proxy): one comparison of its
    /// head instead of a Thrift read; the same frame ``read(from:maxFrameBytes:)`` reads. `nil`
    /// (nothing consumed) for any other frame.
    static func readQueryConfigOK(from buffer: inout ByteBuffer, frameLength total: Int) -> ResponseFrame? {
        let head = queryConfigOKHead
        let start = buffer.readerIndex
        guard total >= 4 + head.count + 4, buffer.readableBytes >= total,
            buffer.withUnsafeReadableBytes({ $0[4..<(4 + head.count)].elementsEqual(head) }),
            let seqid = buffer.getInteger(at: start + 4 + head.count, as: Int32.self),
            let body = buffer.getSlice(at: start + 4 + head.count + 4, length: total - 4 - head.count - 4)
        else { return nil }
        buffer.moveReaderIndex(forwardBy: total)
        return ResponseFrame(
            errorName: ErrorCode.ok.name, message: ThriftMessageHeader(name: RpcName.queryConfigAck, type: .reply, seqid: seqid),
            body: body)
    }
}

import NIOCore

/// The allocation-free relay of an `RDSN` request through a THFT MetaServer: a proxy decodes the
/// request body as the THFT args it becomes, writes those args into its own (reused) buffer, keeps
/// only the request's header, and writes the RDSN reply straight into its output buffer. The bytes
/// are those of `thriftRequest(seqid:)` and `reply(to:relaying:)` followed by `encode(into:checksums:)`.
extension RdsnFrame {
    /// Checks that the body can be relabelled as THFT args (the checks of `thriftArgs()`).
    /// - Throws: the errors of `thriftArgs()`.
    public func checkThriftArgs() throws(WireError) {
        guard let type = body.getInteger(at: body.readerIndex, as: UInt8.self), body.readableBytes >= 3 else {
            throw WireError(
                .truncated,
                offset: RdsnHeader.size + body.readableBytes,
                detail: "RDSN body of \(body.readableBytes) bytes has no field header"
            )
        }
        guard type == ThriftType.struct.rawValue else {
            throw WireError(
                .invalidType,
                offset: RdsnHeader.size,
                detail: "RDSN body starts with field type \(type), expected STRUCT"
            )
        }
    }

    /// Appends `thriftArgs()` to `buffer` (no intermediate buffer). Call after `checkThriftArgs()`.
    public func writeThriftArgs(into buffer: inout ByteBuffer) {
        buffer.writeThriftFieldHeader(.struct, id: 1)
        if let rest = body.getSlice(at: body.readerIndex + 3, length: body.readableBytes - 3) {
            buffer.writeImmutableBuffer(rest)
        }
    }

    /// Decodes the request as `RequestFrame.decodeArgs(_:)` decodes `thriftRequest(seqid:)`'s args
    /// (the wrapper's field id is not checked there, so the body is read in place).
    /// - Throws: the errors of `RequestFrame.decodeArgs(_:)`.
    public func decodeThriftArgs<T: ThriftDecodable>(_: T.Type) throws(WireError) -> T {
        var reader = ThriftReader(body)
        try reader.enterArgsRequest()
        let value = try T(from: &reader)
        _ = try reader.readFieldHeader()
        return value
    }

    /// Whether `name` is `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX` (compared without a `String`).
    public static func isQueryConfig(_ name: RdsnName) -> Bool {
        name == queryConfigName
    }

    /// Checks that a THFT reply body can be relayed (the check of `reply(to:relaying:from:)`):
    /// empty, or starting with result field 0, STRUCT.
    /// - Throws: `.missingField` otherwise.
    public static func checkRelayedBody(_ body: ByteBuffer) throws(WireError) {
        guard body.readableBytes > 0 else { return }
        let type = body.getInteger(at: body.readerIndex, as: UInt8.self)
        let id = body.getInteger(at: body.readerIndex + 1, as: Int16.self)
        guard type == ThriftType.struct.rawValue, id == 0 else {
            throw WireError(
                .missingField,
                offset: 0,
                detail: "THFT reply body does not start with result field 0 (success), STRUCT"
            )
        }
    }

    /// Writes the reply to the request whose header is `request` (`reply(to:errorName:body:from:)`
    /// then `encode(into:checksums:)`), CRCs filled when the request carried any (either CRC field
    /// non-zero), as a proxy relays. Allocates nothing beyond the growth of `buffer`.
    /// - Parameters:
    ///   - request: The request's header.
    ///   - errorName: `server.error_name`.
    ///   - body: The reply body, or `nil` for none.
    ///   - buffer: Where to write.
    public static func writeReply(
        to request: RdsnHeader,
        errorName: RdsnName,
        body: ByteBuffer?,
        into buffer: inout ByteBuffer
    ) {
        let carriedCRCs = request.hdrCRC32 != 0 || request.bodyCRC32 != 0
        let bodyBytes = body?.readableBytes ?? 0
        var header = request
        header.bodyLength = UInt32(truncatingIfNeeded: bodyBytes)
        header.context.isRequest = false
        header.context.isForwarded = false
        header.rpcName = request.rpcName.appending("_ACK")
        header.rpcCode = .byName
        header.fromAddress = .invalid
        header.errorName = errorName
        header.errorCode = .byName
        header.hdrCRC32 = 0
        if let body, carriedCRCs {
            header.bodyCRC32 = CRC32C.checksum(body)
        } else {
            header.bodyCRC32 = carriedCRCs ? CRC32C.checksum(EmptyCollection<UInt8>()) : 0
        }
        buffer.reserveCapacity(minimumWritableBytes: RdsnHeader.size + bodyBytes)
        let start = buffer.writerIndex
        header.write(into: &buffer)
        if carriedCRCs, let crc = RdsnHeader.checksum(ofHeaderAt: start, in: buffer) {
            buffer.setInteger(crc, at: start + RdsnHeader.Offset.hdrCRC32, endianness: .little)
        }
        if let body { buffer.writeImmutableBuffer(body) }
    }
}

import NIOCore

extension RdsnFrame {
    // MARK: Bodies

    /// Serializes `value` the way rDSN's `marshall` does for every RDSN body (request or reply):
    /// a STRUCT field header with id 0, the value, a stop byte (`0c 0000 <struct> 00`)
    /// (apache/incubator-pegasus `src/common/serialization_helper/thrift_helper.h`,
    /// `marshall_thrift_internal`).
    public static func body(wrapping value: some ThriftEncodable) -> ByteBuffer {
        var body = ByteBuffer()
        body.writeThriftFieldHeader(type(of: value).thriftType, id: 0)
        value.write(to: &body)
        body.writeThriftStop()
        return body
    }

    /// Decodes the body the way rDSN's `unmarshall` does: one field header (id and type not
    /// checked), the value, then the wrapper's stop byte.
    /// - Throws: `.missingField` when the wrapper is empty; `.invalidValue` when it has a second
    ///   field; errors from decoding `T`. Offsets count from the start of the frame.
    public func decodeBody<T: ThriftDecodable>(_: T.Type) throws(WireError) -> T {
        var reader = ThriftReader(body, baseOffset: RdsnHeader.size)
        guard try reader.readFieldHeader() != nil else {
            throw reader.error(.missingField, "RDSN body wrapper has no field")
        }
        let value = try T(from: &reader)
        let extraFieldOffset = reader.offset
        guard try reader.readFieldHeader() == nil else {
            throw WireError(
                .invalidValue,
                offset: extraFieldOffset,
                detail: "RDSN body wrapper has more than one field"
            )
        }
        return value
    }

    // MARK: Requests

    /// A request as the C++ client builds it (`message_ex::create_request`, then `rpc_engine::call`):
    /// magic, version 0, length 192, `is_request` + Thrift binary + forwarding supported, the name,
    /// the process-local code left to name lookup, empty error name.
    /// - Parameters:
    ///   - name: The RPC name, e.g. `RpcName.queryConfig` (cut to 47 bytes as rDSN does).
    ///   - id: The sequence id the reply must echo.
    ///   - traceId: The trace id (random in rDSN).
    ///   - gpid: Target partition; 0.0 for meta queries.
    ///   - timeoutMs: `client.timeout_ms`.
    ///   - threadHash: `client.thread_hash`.
    ///   - partitionHash: `client.partition_hash`.
    ///   - from: The caller's primary address (`.invalid` lets the receiver use the peer address).
    ///   - body: The body bytes as sent (see `body(wrapping:)`).
    public static func request(
        name: String,
        id: UInt64,
        traceId: UInt64 = 0,
        gpid: Gpid = Gpid(appId: 0, partitionIndex: 0),
        timeoutMs: Int32,
        threadHash: Int32 = 0,
        partitionHash: UInt64 = 0,
        from: RpcAddress = .invalid,
        body: ByteBuffer
    ) -> RdsnFrame {
        let header = RdsnHeader(
            bodyLength: UInt32(truncatingIfNeeded: body.readableBytes),
            id: id,
            traceId: traceId,
            rpcName: RdsnName(name),
            gpid: gpid,
            context: .clientRequest,
            fromAddress: from,
            clientTimeoutMs: timeoutMs,
            clientThreadHash: threadHash,
            clientPartitionHash: partitionHash
        )
        return RdsnFrame(header: header, body: body)
    }

    // MARK: Replies

    /// A reply to `request` as rDSN builds it (`message_ex::create_response`, `rpc_engine::reply`):
    /// the request header copied, then `is_request` (and `is_forwarded`) cleared, name
    /// `<request name>_ACK`, `server.error_name` = `errorName`, both fast codes left to name lookup,
    /// `from_address` = `from`. The id, trace id, gpid, client fields, serialize format and forwarding
    /// bits are the request's.
    /// - Parameters:
    ///   - request: The request being answered.
    ///   - errorName: The rDSN-level error, `ERR_OK` for a handled request.
    ///   - body: The reply body (`body(wrapping:)` of the response struct), or empty.
    ///   - from: The replying server's address; `.invalid` lets the client use the peer address.
    public static func reply(
        to request: RdsnFrame,
        errorName: String,
        body: ByteBuffer = ByteBuffer(),
        from: RpcAddress = .invalid
    ) -> RdsnFrame {
        var header = request.header
        header.hdrCRC32 = 0
        header.bodyCRC32 = 0
        header.bodyLength = UInt32(truncatingIfNeeded: body.readableBytes)
        header.context.isRequest = false
        header.context.isForwarded = false
        header.rpcName = request.header.rpcName.appending("_ACK")
        header.rpcCode = .byName
        header.fromAddress = from
        header.errorName = RdsnName(errorName)
        header.errorCode = .byName
        return RdsnFrame(header: header, body: body)
    }

    /// A reply with error `ERR_OK` whose body wraps `result`.
    /// - Parameters:
    ///   - request: The request being answered.
    ///   - result: The response struct.
    ///   - from: The replying server's address; `.invalid` lets the client use the peer address.
    public static func reply(
        to request: RdsnFrame,
        result: some ThriftEncodable,
        from: RpcAddress = .invalid
    ) -> RdsnFrame {
        reply(to: request, errorName: ErrorCode.ok.name, body: body(wrapping: result), from: from)
    }
}

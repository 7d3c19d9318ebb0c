import NIOCore

/// Translation between `RDSN` frames and THFT frames, for a proxy that serves C++ clients and
/// talks THFT to MetaServers (docs/protocol.md, "RDSN native frames", "Translating to THFT").
///
/// The body rDSN writes is the same Thrift "result" wrapper in both formats: an RDSN request body
/// is `0c 0000 <request> 00`, the THFT args struct is `0c 0001 <request> 00` (field id 1 by
/// convention; rDSN reads neither id), and a THFT reply body `0c 0000 <response> 00` is exactly
/// the RDSN reply body. So only a field id is rewritten; nothing is re-encoded.
extension RdsnFrame {
    /// The THFT args struct for this request: the body with its wrapper's field id set to 1,
    /// every other byte copied.
    /// - Throws: `.truncated` when the body is shorter than a field header; `.invalidType` when the
    ///   body does not start with a STRUCT field header. Offsets count from the start of the frame.
    public func thriftArgs() throws(WireError) -> ByteBuffer {
        try checkThriftArgs()
        var args = ByteBuffer()
        args.reserveCapacity(body.readableBytes)
        writeThriftArgs(into: &args)
        return args
    }

    /// A THFT v0 header carrying this request's gpid, timeout and hashes.
    public var thriftRequestHeader: RequestHeader {
        RequestHeader(
            version: .v0,
            appId: header.gpid.appId,
            partitionIndex: header.gpid.partitionIndex,
            clientTimeout: header.clientTimeoutMs,
            threadHash: header.clientThreadHash,
            partitionHash: header.clientPartitionHash
        )
    }

    /// `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX` as a header field: recognised without making a
    /// `String` of the field (the shared constant is used instead).
    static let queryConfigName = RdsnName(RpcName.queryConfig)

    /// This request as a THFT v0 request frame: same RPC name, CALL, `seqid`, `thriftArgs()`.
    /// - Parameter seqid: The seqid to send upstream.
    /// - Throws: the errors of `thriftArgs()`.
    public func thriftRequest(seqid: Int32) throws(WireError) -> RequestFrame {
        RequestFrame.make(
            header: thriftRequestHeader,
            name: header.rpcName == Self.queryConfigName ? RpcName.queryConfig : header.rpcName.text,
            seqid: seqid,
            rawArgs: try thriftArgs()
        )
    }

    /// The RDSN reply to `request` carrying a THFT reply: its envelope error name becomes
    /// `server.error_name` and its body (the result struct, field 0) is copied byte for byte.
    /// - Parameters:
    ///   - request: The RDSN request being answered.
    ///   - upstream: The MetaServer's THFT reply.
    ///   - from: The proxy's address; `.invalid` lets the client use the peer address.
    /// - Throws: `.missingField` when `upstream` has a body that does not start with field 0 STRUCT
    ///   (a C++ client reads the first field of the wrapper as the response, whatever its id).
    public static func reply(
        to request: RdsnFrame,
        relaying upstream: ResponseFrame,
        from: RpcAddress = .invalid
    ) throws(WireError) -> RdsnFrame {
        let body = upstream.body
        if body.readableBytes > 0 {
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
        return reply(to: request, errorName: upstream.errorName, body: body, from: from)
    }
}

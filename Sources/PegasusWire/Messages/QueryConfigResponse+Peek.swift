import NIOCore

extension QueryConfigResponse {
    /// Reads only `err` and `partitions[0].primary` / `hp_primary` from a reply body (the result
    /// struct), skipping everything else by schema, and stops as soon as both are known.
    ///
    /// This is how the proxy follows a follower's `ERR_FORWARD_TO_OTHERS` to the leader
    /// (docs/pegasus-reference.md §6.1) without decoding the whole reply.
    /// - Parameter body: A `ResponseFrame.body`.
    /// - Returns: `err` (`ERR_OK` when absent, as C++ defaults it); `leader`, `nil` when there is no
    ///   partition or its primary is the zero address; `leaderHostPort`, `nil` when absent or type 0.
    /// - Throws: `.missingField` without result field 0; `WireError` on malformed bytes.
    public static func peekForward(
        body: ByteBuffer
    ) throws(WireError) -> (err: ErrorCode, leader: RpcAddress?, leaderHostPort: HostPort?) {
        var reader = ThriftReader(body)
        try reader.enterResultSuccess()
        var err: ErrorCode?
        var leader: RpcAddress?
        var leaderHostPort: HostPort?
        var sawPartitions = false
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .struct):
                err = try ErrorCode(from: &reader)
            case (5, .list):
                let start = reader.offset
                let header = try reader.readListHeader()
                guard header.count == 0 || header.elementType == .struct else {
                    throw WireError(
                        .invalidType, offset: start, detail: "partitions element type \(header.elementType)")
                }
                sawPartitions = true
                if header.count > 0 {
                    (leader, leaderHostPort) = try peekPrimary(&reader)
                }
                if let err {
                    return (err, leader, leaderHostPort)
                }
                for _ in 1..<max(1, header.count) {
                    try reader.skip(PartitionConfiguration.schema)
                }
            default:
                try reader.skipField(field, schema: fieldSchemas[field.id])
            }
            if let err, sawPartitions {
                return (err, leader, leaderHostPort)
            }
        }
        return (err ?? .ok, leader, leaderHostPort)
    }

    /// Reads only `err` from a reply body (the result struct), skipping other fields by schema.
    /// - Returns: `err`, or `ERR_OK` when absent (as C++ defaults it).
    /// - Throws: `.missingField` without result field 0; `WireError` on malformed bytes.
    public static func peekError(body: ByteBuffer) throws(WireError) -> ErrorCode {
        // The usual reply starts `0c 0000` (result field 0), `0c 0001` (field 1 `err`), then the
        // name `ERR_OK`: told by one comparison, as the reader below would read it.
        if body.readableBytes >= okPrefix.count,
            body.withUnsafeReadableBytes({ $0.prefix(okPrefix.count).elementsEqual(okPrefix) })
        {
            return .ok
        }
        var reader = ThriftReader(body)
        try reader.enterResultSuccess()
        return try reader.peekErrorField(schemas: fieldSchemas)
    }

    private static func peekPrimary(_ reader: inout ThriftReader) throws(WireError) -> (RpcAddress?, HostPort?) {
        var primary: RpcAddress?
        var hostPort: HostPort?
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (4, .struct):
                let address = try RpcAddress(from: &reader)
                primary = address.isInvalid ? nil : address
            case (9, .struct):
                let value = try HostPort(from: &reader)
                hostPort = value.isInvalid ? nil : value
            default:
                try reader.skipField(field, schema: PartitionConfiguration.fieldSchemas[field.id])
            }
        }
        return (primary, hostPort)
    }

    /// The first bytes of a result whose `err` is `ERR_OK`.
    private static let okPrefix: [UInt8] = {
        var bytes = ByteBuffer()
        bytes.writeThriftFieldHeader(.struct, id: 0)
        bytes.writeThriftFieldHeader(.struct, id: 1)
        ErrorCode.ok.write(to: &bytes)
        return bytes.readBytes(length: bytes.readableBytes) ?? []
    }()
}

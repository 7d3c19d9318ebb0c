import NIOCore

/// The fixed header of an `RDSN` frame: rDSN's in-memory `message_header` struct, sent raw in the
/// sender's byte order, which is little-endian on every platform Pegasus runs on (x86-64, aarch64)
/// (apache/incubator-pegasus `src/rpc/rpc_message.h`; docs/protocol.md, "RDSN native frames").
///
/// 192 bytes, no padding anywhere (every 8-byte member falls on a multiple of 8):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | `hdr_type`, the bytes `RDSN` |
/// | 4 | 4 | `hdr_version`, 0 |
/// | 8 | 4 | `hdr_length`, 192 |
/// | 12 | 4 | `hdr_crc32`, 0 = none |
/// | 16 | 4 | `body_length` |
/// | 20 | 4 | `body_crc32`, 0 = none |
/// | 24 | 8 | `id` |
/// | 32 | 8 | `trace_id` |
/// | 40 | 48 | `rpc_name` |
/// | 88 | 8 | `rpc_code` (`fast_code`: u32 local_code, u32 local_hash) |
/// | 96 | 8 | `gpid` (i32 app_id, i32 partition_index) |
/// | 104 | 8 | `context` (`msg_context_t`) |
/// | 112 | 8 | `from_address` (`rpc_address`, one u64) |
/// | 120 | 4 | `client.timeout_ms` |
/// | 124 | 4 | `client.thread_hash` |
/// | 128 | 8 | `client.partition_hash` |
/// | 136 | 48 | `server.error_name` |
/// | 184 | 8 | `server.error_code` (`fast_code`) |
///
/// Every field is kept as received, so a decoded header re-encodes byte for byte.
public struct RdsnHeader: Hashable, Sendable {
    /// Byte offsets of the header fields.
    public enum Offset {
        /// `hdr_type`.
        public static let hdrType = 0
        /// `hdr_version`.
        public static let hdrVersion = 4
        /// `hdr_length`.
        public static let hdrLength = 8
        /// `hdr_crc32`.
        public static let hdrCRC32 = 12
        /// `body_length`.
        public static let bodyLength = 16
        /// `body_crc32`.
        public static let bodyCRC32 = 20
        /// `id`.
        public static let id = 24
        /// `trace_id`.
        public static let traceId = 32
        /// `rpc_name`.
        public static let rpcName = 40
        /// `rpc_code`.
        public static let rpcCode = 88
        /// `gpid`.
        public static let gpid = 96
        /// `context`.
        public static let context = 104
        /// `from_address`.
        public static let fromAddress = 112
        /// `client.timeout_ms`.
        public static let clientTimeout = 120
        /// `client.thread_hash`.
        public static let clientThreadHash = 124
        /// `client.partition_hash`.
        public static let clientPartitionHash = 128
        /// `server.error_name`.
        public static let errorName = 136
        /// `server.error_code`.
        public static let errorCode = 184
    }

    /// Size of the header: `sizeof(message_header)` on x86-64, and the `hdr_length` value.
    public static let size = 192
    /// `hdr_type` as a little-endian u32: the bytes `52 44 53 4e` ("RDSN"), rDSN's `0x4e534452`.
    public static let magic: UInt32 = 0x4e53_4452
    /// The only `hdr_version` any rDSN sender writes.
    public static let version: UInt32 = 0

    /// `hdr_type`: `RdsnHeader.magic`.
    public var hdrType: UInt32
    /// `hdr_version`: 0.
    public var hdrVersion: UInt32
    /// `hdr_length`: 192.
    public var hdrLength: UInt32
    /// `hdr_crc32`: CRC-32C of the 192 header bytes with this field zero; 0 = not checked.
    public var hdrCRC32: UInt32
    /// `body_length`: bytes after the header.
    public var bodyLength: UInt32
    /// `body_crc32`: CRC-32C of the body; 0 = not checked.
    public var bodyCRC32: UInt32
    /// `id`: the sequence id a reply must echo; the C++ client matches replies by it.
    public var id: UInt64
    /// `trace_id`: random per call, echoed in the reply, used only for logging.
    public var traceId: UInt64
    /// `rpc_name`: e.g. `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX`; the reply's is `<name>_ACK`.
    public var rpcName: RdsnName
    /// `rpc_code`: process-local code number; used only if its hash matches the receiver's.
    public var rpcCode: RdsnFastCode
    /// `gpid`: app id and partition index; meta queries send 0.0.
    public var gpid: Gpid
    /// `context`: request/reply, serialize format and forwarding bits.
    public var context: RdsnMessageContext
    /// `from_address`: the sender's primary address; a receiver fills in the peer address when 0.
    public var fromAddress: RpcAddress
    /// `client.timeout_ms`: the caller's timeout.
    public var clientTimeoutMs: Int32
    /// `client.thread_hash`: server thread selection hint.
    public var clientThreadHash: Int32
    /// `client.partition_hash`: partition hash of the key, 0 for meta queries.
    public var clientPartitionHash: UInt64
    /// `server.error_name`: the reply's rDSN-level error (`ERR_OK`); empty in requests.
    public var errorName: RdsnName
    /// `server.error_code`: process-local error number; used only if its hash matches.
    public var errorCode: RdsnFastCode

    /// Creates a header; every field defaults to what `message_ex::create_request` leaves after
    /// zeroing the struct (magic, version 0, length 192, everything else 0).
    public init(
        hdrType: UInt32 = RdsnHeader.magic,
        hdrVersion: UInt32 = RdsnHeader.version,
        hdrLength: UInt32 = UInt32(RdsnHeader.size),
        hdrCRC32: UInt32 = 0,
        bodyLength: UInt32 = 0,
        bodyCRC32: UInt32 = 0,
        id: UInt64 = 0,
        traceId: UInt64 = 0,
        rpcName: RdsnName = .empty,
        rpcCode: RdsnFastCode = .byName,
        gpid: Gpid = Gpid(appId: 0, partitionIndex: 0),
        context: RdsnMessageContext = RdsnMessageContext(rawValue: 0),
        fromAddress: RpcAddress = .invalid,
        clientTimeoutMs: Int32 = 0,
        clientThreadHash: Int32 = 0,
        clientPartitionHash: UInt64 = 0,
        errorName: RdsnName = .empty,
        errorCode: RdsnFastCode = .byName
    ) {
        self.hdrType = hdrType
        self.hdrVersion = hdrVersion
        self.hdrLength = hdrLength
        self.hdrCRC32 = hdrCRC32
        self.bodyLength = bodyLength
        self.bodyCRC32 = bodyCRC32
        self.id = id
        self.traceId = traceId
        self.rpcName = rpcName
        self.rpcCode = rpcCode
        self.gpid = gpid
        self.context = context
        self.fromAddress = fromAddress
        self.clientTimeoutMs = clientTimeoutMs
        self.clientThreadHash = clientThreadHash
        self.clientPartitionHash = clientPartitionHash
        self.errorName = errorName
        self.errorCode = errorCode
    }

    /// Reads the 192 header bytes at the reader index of `buffer` without consuming them and
    /// without validating anything (see `RdsnFrame.frameLength(peeking:maxFrameBytes:)`).
    /// - Throws: `.truncated` when fewer than 192 bytes are readable.
    public init(peeking buffer: ByteBuffer) throws(WireError) {
        let start = buffer.readerIndex
        guard buffer.readableBytes >= Self.size else {
            throw WireError(
                .truncated,
                offset: buffer.readableBytes,
                detail: "RDSN header needs \(Self.size) bytes, \(buffer.readableBytes) present"
            )
        }
        func u32(_ offset: Int) -> UInt32 {
            buffer.getInteger(at: start + offset, endianness: .little, as: UInt32.self) ?? 0
        }
        func u64(_ offset: Int) -> UInt64 {
            buffer.getInteger(at: start + offset, endianness: .little, as: UInt64.self) ?? 0
        }
        func name(_ offset: Int) -> RdsnName {
            RdsnName(at: start + offset, in: buffer) ?? .empty
        }
        // The length was checked above, so every read below succeeds.
        self.init(
            hdrType: u32(Offset.hdrType),
            hdrVersion: u32(Offset.hdrVersion),
            hdrLength: u32(Offset.hdrLength),
            hdrCRC32: u32(Offset.hdrCRC32),
            bodyLength: u32(Offset.bodyLength),
            bodyCRC32: u32(Offset.bodyCRC32),
            id: u64(Offset.id),
            traceId: u64(Offset.traceId),
            rpcName: name(Offset.rpcName),
            rpcCode: RdsnFastCode(localCode: u32(Offset.rpcCode), localHash: u32(Offset.rpcCode + 4)),
            gpid: Gpid(rawValue: Int64(bitPattern: u64(Offset.gpid))),
            context: RdsnMessageContext(rawValue: u64(Offset.context)),
            fromAddress: RpcAddress(rawValue: u64(Offset.fromAddress)),
            clientTimeoutMs: Int32(bitPattern: u32(Offset.clientTimeout)),
            clientThreadHash: Int32(bitPattern: u32(Offset.clientThreadHash)),
            clientPartitionHash: u64(Offset.clientPartitionHash),
            errorName: name(Offset.errorName),
            errorCode: RdsnFastCode(localCode: u32(Offset.errorCode), localHash: u32(Offset.errorCode + 4))
        )
    }

    /// Writes the 192 header bytes, every field as stored (CRC fields included).
    public func write(into buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: Self.size)
        buffer.writeInteger(hdrType, endianness: .little)
        buffer.writeInteger(hdrVersion, endianness: .little)
        buffer.writeInteger(hdrLength, endianness: .little)
        buffer.writeInteger(hdrCRC32, endianness: .little)
        buffer.writeInteger(bodyLength, endianness: .little)
        buffer.writeInteger(bodyCRC32, endianness: .little)
        buffer.writeInteger(id, endianness: .little)
        buffer.writeInteger(traceId, endianness: .little)
        rpcName.write(into: &buffer)
        buffer.writeInteger(rpcCode.localCode, endianness: .little)
        buffer.writeInteger(rpcCode.localHash, endianness: .little)
        buffer.writeInteger(gpid.rawValue, endianness: .little)
        buffer.writeInteger(context.rawValue, endianness: .little)
        buffer.writeInteger(fromAddress.rawValue, endianness: .little)
        buffer.writeInteger(clientTimeoutMs, endianness: .little)
        buffer.writeInteger(clientThreadHash, endianness: .little)
        buffer.writeInteger(clientPartitionHash, endianness: .little)
        errorName.write(into: &buffer)
        buffer.writeInteger(errorCode.localCode, endianness: .little)
        buffer.writeInteger(errorCode.localHash, endianness: .little)
    }

    /// The header CRC rDSN computes: CRC-32C over the 192 header bytes at `index` in `buffer`
    /// with the 4 bytes of `hdr_crc32` counted as zero. `nil` when the bytes are not all there.
    public static func checksum(ofHeaderAt index: Int, in buffer: ByteBuffer) -> UInt32? {
        guard let before = buffer.getSlice(at: index, length: Offset.hdrCRC32),
            let after = buffer.getSlice(at: index + Offset.bodyLength, length: size - Offset.bodyLength)
        else {
            return nil
        }
        var crc = CRC32C.checksum(before)
        crc = CRC32C.checksum(repeatElement(0, count: 4), continuing: crc)
        return CRC32C.checksum(after, continuing: crc)
    }
}

/// rDSN `fast_code`: a process-local task or error code number and the `[core] local_hash` of the
/// process that wrote it (docs/protocol.md, "RDSN native frames").
///
/// A receiver uses `localCode` only when `localHash` is non-zero and equals its own `local_hash`;
/// otherwise it looks the code up by name (`rpc_name`, `server.error_name`). `local_hash` is 0 by
/// default, so in practice the names decide; a proxy writes `.byName` (all zero) so they always do.
public struct RdsnFastCode: Hashable, Sendable {
    /// `local_code`: the code's number in the writing process.
    public var localCode: UInt32
    /// `local_hash`: the writer's `[core] local_hash`.
    public var localHash: UInt32

    /// Both zero: the receiver must look the code up by name.
    public static let byName = RdsnFastCode(localCode: 0, localHash: 0)

    /// Creates a fast code.
    public init(localCode: UInt32, localHash: UInt32) {
        self.localCode = localCode
        self.localHash = localHash
    }
}

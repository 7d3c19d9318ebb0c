import NIOCore

/// The THFT header of a request frame, version 0 (48 fixed bytes) or 1 (16 bytes + a
/// `thrift_request_meta_v1` struct) (docs/pegasus-reference.md §3.1–§3.2).
///
/// Everything needed to re-encode a decoded header byte for byte is kept: the v0 CRC fields
/// (never checked by the server) and which v1 meta fields were present.
public struct RequestHeader: Hashable, Sendable {
    /// THFT header version.
    public enum Version: Int32, Hashable, Sendable {
        /// 48-byte fixed header (Go, Python, Node.js clients).
        case v0 = 0
        /// 16-byte header + meta struct (Java client).
        case v1 = 1
    }

    /// Which optional fields of the v1 meta struct are present.
    public struct MetaFields: OptionSet, Hashable, Sendable {
        /// The raw bits.
        public var rawValue: UInt8
        /// Creates a set from raw bits.
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// 1 `app_id`.
        public static let appId = MetaFields(rawValue: 1 << 0)
        /// 2 `partition_index`.
        public static let partitionIndex = MetaFields(rawValue: 1 << 1)
        /// 3 `client_timeout`.
        public static let clientTimeout = MetaFields(rawValue: 1 << 2)
        /// 4 `client_partition_hash`.
        public static let partitionHash = MetaFields(rawValue: 1 << 3)
        /// 5 `is_backup_request`.
        public static let isBackupRequest = MetaFields(rawValue: 1 << 4)
        /// All five, as the Java client sends them.
        public static let all: MetaFields = [.appId, .partitionIndex, .clientTimeout, .partitionHash, .isBackupRequest]
    }

    /// `THFT` as a big-endian u32.
    public static let magic: UInt32 = 0x5448_4654
    /// Length of a v0 header, also its `hdr_length` value.
    public static let v0Length = 48
    /// Fixed part of a v1 header: magic, version, meta_length, body_length.
    public static let v1FixedLength = 16

    /// Header version.
    public var version: Version
    /// Gpid app part (0 or -1 for meta queries).
    public var appId: Int32
    /// Gpid partition part.
    public var partitionIndex: Int32
    /// Client timeout in milliseconds.
    public var clientTimeout: Int32
    /// v0 `client_thread_hash` (v1 has none; the server derives it).
    public var threadHash: Int32
    /// `client_partition_hash`.
    public var partitionHash: UInt64
    /// v1 `is_backup_request` (v0 has none).
    public var isBackupRequest: Bool
    /// v0 `hdr_crc32`, unchecked by the server; kept for byte-exact re-encoding.
    public var hdrCRC32: UInt32
    /// v0 `body_crc32`, unchecked by the server; kept for byte-exact re-encoding.
    public var bodyCRC32: UInt32
    /// v1: which meta fields are present (absent ones read as 0/false).
    public var metaFields: MetaFields

    /// Creates a header.
    public init(
        version: Version = .v0,
        appId: Int32 = 0,
        partitionIndex: Int32 = 0,
        clientTimeout: Int32 = 0,
        threadHash: Int32 = 0,
        partitionHash: UInt64 = 0,
        isBackupRequest: Bool = false,
        hdrCRC32: UInt32 = 0,
        bodyCRC32: UInt32 = 0,
        metaFields: MetaFields = .all
    ) {
        self.version = version
        self.appId = appId
        self.partitionIndex = partitionIndex
        self.clientTimeout = clientTimeout
        self.threadHash = threadHash
        self.partitionHash = partitionHash
        self.isBackupRequest = isBackupRequest
        self.hdrCRC32 = hdrCRC32
        self.bodyCRC32 = bodyCRC32
        self.metaFields = metaFields
    }

    /// A v1 header from its meta struct; absent fields read as 0/false and are remembered as absent.
    public init(meta: RequestMetaV1) {
        var present: MetaFields = []
        if meta.appId != nil { present.insert(.appId) }
        if meta.partitionIndex != nil { present.insert(.partitionIndex) }
        if meta.clientTimeout != nil { present.insert(.clientTimeout) }
        if meta.clientPartitionHash != nil { present.insert(.partitionHash) }
        if meta.isBackupRequest != nil { present.insert(.isBackupRequest) }
        self.init(
            version: .v1,
            appId: meta.appId ?? 0,
            partitionIndex: meta.partitionIndex ?? 0,
            clientTimeout: meta.clientTimeout ?? 0,
            partitionHash: UInt64(bitPattern: meta.clientPartitionHash ?? 0),
            isBackupRequest: meta.isBackupRequest ?? false,
            metaFields: present
        )
    }

    /// The v1 meta struct this header writes (only the fields in `metaFields`).
    public var meta: RequestMetaV1 {
        RequestMetaV1(
            appId: metaFields.contains(.appId) ? appId : nil,
            partitionIndex: metaFields.contains(.partitionIndex) ? partitionIndex : nil,
            clientTimeout: metaFields.contains(.clientTimeout) ? clientTimeout : nil,
            clientPartitionHash: metaFields.contains(.partitionHash) ? Int64(bitPattern: partitionHash) : nil,
            isBackupRequest: metaFields.contains(.isBackupRequest) ? isBackupRequest : nil
        )
    }

    /// Writes the header for a body of `bodyLength` bytes.
    public func write(bodyLength: Int, into buffer: inout ByteBuffer) {
        switch version {
        case .v0:
            // One write for the 48 bytes (the proxy writes one per upstream request).
            buffer.writeMultipleIntegers(
                Self.magic, version.rawValue, Int32(Self.v0Length), hdrCRC32, Int32(truncatingIfNeeded: bodyLength),
                bodyCRC32, appId, partitionIndex, clientTimeout, threadHash, partitionHash)
        case .v1:
            buffer.writeMultipleIntegers(Self.magic, version.rawValue)
            let metaLengthIndex = buffer.writerIndex
            buffer.writeInteger(Int32(0))
            buffer.writeInteger(Int32(truncatingIfNeeded: bodyLength))
            let metaStart = buffer.writerIndex
            meta.write(to: &buffer)
            buffer.setInteger(Int32(truncatingIfNeeded: buffer.writerIndex - metaStart), at: metaLengthIndex)
        }
    }
}

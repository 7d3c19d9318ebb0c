import NIOCore

/// A THFT query-config request (`RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX`) as the proxy needs it:
/// the table, the client's seqid and timeout, and the args struct to relay verbatim.
///
/// ``RequestFrameDecoder/decodeNext(buffer:)`` reads the usual layout of this request (v0 header,
/// strict CALL message begin, `query_cfg_request` with `app_name` and optionally an i32
/// `partition_indices` list) in one pass over the bytes, without building a ``RequestFrame`` or a
/// Thrift reader. Any other layout goes through the general decoder, so a request read this way is
/// exactly what ``RequestFrame/read(from:maxFrameBytes:)`` and
/// ``RequestFrame/decodeArgs(_:)`` would read.
public struct QueryConfigCall: Sendable {
    /// `app_name`.
    public var table: String
    /// The client's seqid.
    public var seqid: Int32
    /// The header's `client_timeout` (milliseconds).
    public var clientTimeout: Int32
    /// The args struct (the bytes after the message begin): a slice of the read buffer.
    public var args: ByteBuffer

    /// Creates a call.
    public init(table: String, seqid: Int32, clientTimeout: Int32, args: ByteBuffer) {
        self.table = table
        self.seqid = seqid
        self.clientTimeout = clientTimeout
        self.args = args
    }

    /// The RPC name's bytes.
    private static let name = Array(RpcName.queryConfig.utf8)
    /// The name as eight-byte words at their offsets (the last one overlapping the one before when
    /// the length is not a multiple of eight), compared in place.
    private static let nameWords: [(offset: Int, word: UInt64)] = {
        guard name.count >= 8 else { return [] }
        let offsets = Array(stride(from: 0, to: name.count - 8, by: 8)) + [name.count - 8]
        return offsets.map { offset in
            (offset, name.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) })
        }
    }()
    /// Reads the frame of `bytes` (one whole frame, its lengths checked by
    /// ``RequestFrame/frameLength(peeking:maxFrameBytes:)``) if it is a query-config CALL in the
    /// usual layout (v0 header, or v1 with the meta fields the Java client sends): `(table, seqid,
    /// clientTimeout)` and where the args start; `nil` for anything else (the general decoder then
    /// reads it, or reports what is wrong).
    static func peek(_ bytes: UnsafeRawBufferPointer) -> (table: String, seqid: Int32, clientTimeout: Int32, argsOffset: Int)? {
        func i32(_ offset: Int) -> Int32 { Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)) }
        let total = bytes.count
        guard total >= RequestHeader.v0Length else { return nil }
        let body: Int
        let clientTimeout: Int32
        switch i32(4) {
        case 0:
            body = RequestHeader.v0Length
            clientTimeout = i32(32)
        case 1:
            guard let meta = peekMetaV1(bytes) else { return nil }
            body = meta.end
            clientTimeout = meta.clientTimeout
        default:
            return nil
        }
        let args = body + 4 + 4 + name.count + 4
        // The args struct needs at least: field header (3), name field header (3), length (4),
        // struct stop (1), args stop (1).
        guard total >= args + 12,
            UInt32(bitPattern: i32(body)) == 0x8001_0000 | UInt32(ThriftMessageType.call.rawValue),
            Int(i32(body + 4)) == name.count
        else { return nil }
        // The name, eight bytes at a time.
        for (offset, word) in nameWords
        where bytes.loadUnaligned(fromByteOffset: body + 8 + offset, as: UInt64.self) != word {
            return nil
        }
        guard bytes[args] == ThriftType.struct.rawValue,
            bytes[args + 3] == ThriftType.string.rawValue, bytes[args + 4] == 0, bytes[args + 5] == 1
        else { return nil }
        let nameLength = Int(i32(args + 6))
        let nameStart = args + 10
        guard nameLength >= 0, nameLength <= total - nameStart - 2 else { return nil }
        var next = nameStart + nameLength
        if bytes[next] == ThriftType.list.rawValue {
            // 2 `partition_indices`: list<i32>, then the struct's stop.
            guard next + 8 <= total, bytes[next + 1] == 0, bytes[next + 2] == 2, bytes[next + 3] == ThriftType.i32.rawValue
            else { return nil }
            let count = Int(i32(next + 4))
            guard count >= 0, count <= (total - next - 8) / 4 else { return nil }
            next += 8 + 4 * count
        }
        // The struct's stop, then the args' stop.
        guard next + 2 <= total, bytes[next] == 0, bytes[next + 1] == 0 else { return nil }
        let table = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<(nameStart + nameLength)]), as: UTF8.self)
        return (table, i32(body + 8 + name.count), clientTimeout, args)
    }

    /// The v1 header's meta struct, if it holds only fields 1-5 with their IDL types and ends with
    /// its stop exactly at `meta_length`: its `client_timeout` (0 when absent) and where it ends.
    private static func peekMetaV1(_ bytes: UnsafeRawBufferPointer) -> (clientTimeout: Int32, end: Int)? {
        let metaLength = Int(Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: Int32.self)))
        let end = RequestHeader.v1FixedLength + metaLength
        guard metaLength >= 1, end <= bytes.count else { return nil }
        var offset = RequestHeader.v1FixedLength
        var clientTimeout: Int32 = 0
        while offset < end - 1 {
            guard offset + 3 <= end else { return nil }
            let type = bytes[offset]
            let id = Int16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 1, as: Int16.self))
            offset += 3
            let size: Int
            if id >= 1, id <= 3, type == ThriftType.i32.rawValue {
                size = 4
            } else if id == 4, type == ThriftType.i64.rawValue {
                size = 8
            } else if id == 5, type == ThriftType.bool.rawValue {
                size = 1
            } else {
                return nil
            }
            guard offset + size <= end - 1 else { return nil }
            if id == 3 { clientTimeout = Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)) }
            offset += size
        }
        guard offset == end - 1, bytes[offset] == ThriftType.stop.rawValue else { return nil }
        return (clientTimeout, end)
    }
}

extension RequestFrameDecoder {
    /// What the next whole frame of a THFT connection is.
    public enum Next {
        /// A query-config request in its usual layout, read in place (``QueryConfigCall``).
        case queryConfig(QueryConfigCall)
        /// Any other request frame.
        case frame(RequestFrame)
    }

    /// Decodes the next whole frame at the reader index of `buffer`, consuming it; `nil` while it
    /// is incomplete. Like ``decode(buffer:)``, but a query-config request in its usual layout
    /// comes back as a ``QueryConfigCall`` read in one pass.
    /// - Throws: what ``decode(buffer:)`` throws.
    public mutating func decodeNext(buffer: inout ByteBuffer) throws -> Next? {
        guard let total = try RequestFrame.frameLength(peeking: buffer, maxFrameBytes: maxFrameBytes),
            buffer.readableBytes >= total
        else {
            return nil
        }
        let start = buffer.readerIndex
        let peeked = buffer.withUnsafeReadableBytes { QueryConfigCall.peek(UnsafeRawBufferPointer(rebasing: $0[..<total])) }
        if let peeked, let args = buffer.getSlice(at: start + peeked.argsOffset, length: total - peeked.argsOffset) {
            buffer.moveReaderIndex(forwardBy: total)
            return .queryConfig(
                QueryConfigCall(table: peeked.table, seqid: peeked.seqid, clientTimeout: peeked.clientTimeout, args: args))
        }
        return .frame(try RequestFrame.read(from: &buffer, frameLength: total))
    }
}

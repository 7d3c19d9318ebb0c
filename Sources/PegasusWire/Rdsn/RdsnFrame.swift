import NIOCore

/// One `RDSN` frame: rDSN's native message format, used by the C++ client and the Pegasus shell
/// (docs/protocol.md, "RDSN native frames"; apache/incubator-pegasus `src/rpc/dsn_message_parser.cpp`).
///
/// A 192-byte little-endian `RdsnHeader`, then `body_length` bytes of body. For meta RPCs the body
/// is the Thrift-binary "result" wrapper rDSN writes around every value: a STRUCT field header with
/// id 0, the request or response struct, a stop byte (`0c 0000 <struct> 00`), in requests and
/// replies alike.
///
/// `body` is a slice of the received buffer (no copy).
public struct RdsnFrame: Equatable, Sendable {
    /// The header as received or as it will be sent. `encode` recomputes `bodyLength` and the CRC
    /// fields from `body`.
    public var header: RdsnHeader
    /// The body bytes.
    public var body: ByteBuffer

    /// Creates a frame.
    public init(header: RdsnHeader, body: ByteBuffer) {
        self.header = header
        self.body = body
    }

    // MARK: Writing

    /// Writes the frame: the header with `body_length` set from `body` and the CRC fields as
    /// `checksums` says, then `body` verbatim.
    /// - Parameters:
    ///   - buffer: Where to write.
    ///   - checksums: `.compute` (default) fills both CRCs the way rDSN does; `.none` writes zeros.
    public func encode(into buffer: inout ByteBuffer, checksums: RdsnChecksums = .compute) {
        var header = self.header
        header.bodyLength = UInt32(truncatingIfNeeded: body.readableBytes)
        header.hdrCRC32 = 0
        header.bodyCRC32 = checksums == .compute ? CRC32C.checksum(body) : 0
        buffer.reserveCapacity(minimumWritableBytes: RdsnHeader.size + body.readableBytes)
        let start = buffer.writerIndex
        header.write(into: &buffer)
        if checksums == .compute, let crc = RdsnHeader.checksum(ofHeaderAt: start, in: buffer) {
            buffer.setInteger(crc, at: start + RdsnHeader.Offset.hdrCRC32, endianness: .little)
        }
        buffer.writeImmutableBuffer(body)
    }

    // MARK: Reading

    /// Header fields with one allowed value, in wire order: offset, name, value, error code.
    private static let fixedFields: [(offset: Int, name: String, expected: UInt32, code: WireError.Code)] = [
        (RdsnHeader.Offset.hdrVersion, "hdr_version", RdsnHeader.version, .badHeaderVersion),
        (RdsnHeader.Offset.hdrLength, "hdr_length", UInt32(RdsnHeader.size), .badHeaderLength),
    ]

    /// How many bytes the frame at the reader index of `buffer` takes, once enough of its header is
    /// there to tell; `nil` while more bytes are needed.
    ///
    /// Each check runs as soon as its bytes are present: magic (byte by byte), `hdr_version` = 0,
    /// `hdr_length` = 192, `body_length` below 2^31 and within `maxFrameBytes`, and, once all 192
    /// header bytes are there, the header CRC when it is non-zero. So a bad or oversized frame is
    /// rejected before its body is buffered.
    /// - Throws: `.badMagic`, `.badHeaderVersion`, `.badHeaderLength`, `.negativeLength`,
    ///   `.frameTooLarge`, `.invalidValue` (header CRC mismatch, offset 12).
    public static func frameLength(peeking buffer: ByteBuffer, maxFrameBytes: Int) throws(WireError) -> Int? {
        let start = buffer.readerIndex
        let magic = RdsnHeader.magic
        func field(_ offset: Int) -> UInt32? {
            buffer.getInteger(at: start + offset, endianness: .little, as: UInt32.self)
        }
        for index in 0..<min(4, buffer.readableBytes) {
            guard
                buffer.getInteger(at: start + index, as: UInt8.self) == UInt8(truncatingIfNeeded: magic >> (8 * index))
            else {
                throw WireError(.badMagic, offset: index, detail: "frame does not start with RDSN")
            }
        }
        for fixed in fixedFields {
            guard let value = field(fixed.offset) else {
                return nil
            }
            guard value == fixed.expected else {
                throw WireError(
                    fixed.code,
                    offset: fixed.offset,
                    detail: "RDSN \(fixed.name) \(value), must be \(fixed.expected)"
                )
            }
        }
        guard let bodyLength = field(RdsnHeader.Offset.bodyLength) else {
            return nil
        }
        guard bodyLength <= Int32.max else {
            throw WireError(
                .negativeLength,
                offset: RdsnHeader.Offset.bodyLength,
                detail: "RDSN body_length 0x\(String(bodyLength, radix: 16)) is negative as an i32"
            )
        }
        let total = RdsnHeader.size + Int(bodyLength)
        guard total <= maxFrameBytes else {
            throw WireError(.frameTooLarge, offset: 0, detail: "RDSN frame of \(total) bytes exceeds \(maxFrameBytes)")
        }
        guard buffer.readableBytes >= RdsnHeader.size, let stored = field(RdsnHeader.Offset.hdrCRC32) else {
            return nil
        }
        if stored != 0, let computed = RdsnHeader.checksum(ofHeaderAt: start, in: buffer), computed != stored {
            throw checksumMismatch("header", offset: RdsnHeader.Offset.hdrCRC32, stored: stored, computed: computed)
        }
        return total
    }

    /// Reads one whole frame from `buffer`, consuming it; `body` is a slice of `buffer`.
    ///
    /// Unlike `RdsnFrameDecoder`, short input is an error here.
    /// - Throws: every error of `frameLength(peeking:maxFrameBytes:)`; `.truncated` when the frame
    ///   is incomplete; `.invalidValue` at offset 20 when `body_crc32` is non-zero and does not match
    ///   the body. Offsets count from the start of the frame.
    public static func read(from buffer: inout ByteBuffer, maxFrameBytes: Int = .max) throws(WireError) -> RdsnFrame {
        guard let total = try frameLength(peeking: buffer, maxFrameBytes: maxFrameBytes) else {
            throw WireError(.truncated, offset: buffer.readableBytes, detail: "RDSN header incomplete")
        }
        guard let body = buffer.getSlice(at: buffer.readerIndex + RdsnHeader.size, length: total - RdsnHeader.size)
        else {
            throw WireError(
                .truncated,
                offset: buffer.readableBytes,
                detail: "RDSN frame of \(total) bytes, \(buffer.readableBytes) present"
            )
        }
        let header = try RdsnHeader(peeking: buffer)
        if header.bodyCRC32 != 0 {
            let computed = CRC32C.checksum(body)
            guard computed == header.bodyCRC32 else {
                throw checksumMismatch(
                    "body",
                    offset: RdsnHeader.Offset.bodyCRC32,
                    stored: header.bodyCRC32,
                    computed: computed
                )
            }
        }
        buffer.moveReaderIndex(forwardBy: total)
        return RdsnFrame(header: header, body: body)
    }

    /// The error for a CRC field that does not match its bytes. rDSN has no error code for this
    /// (it logs and closes the connection); `WireError.Code` has no checksum code, so `.invalidValue`
    /// with the field's offset (12 header, 20 body) tells them apart.
    static func checksumMismatch(_ part: String, offset: Int, stored: UInt32, computed: UInt32) -> WireError {
        let stored = String(stored, radix: 16)
        let computed = String(computed, radix: 16)
        return WireError(
            .invalidValue,
            offset: offset,
            detail: "RDSN \(part) CRC32C mismatch: stored 0x\(stored), computed 0x\(computed)"
        )
    }
}

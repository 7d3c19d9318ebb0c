import NIOCore

/// CRC-32C (Castagnoli), the checksum rDSN puts in the `hdr_crc32` and `body_crc32` fields of an
/// `RDSN` frame (docs/protocol.md, "RDSN native frames"; apache/incubator-pegasus `src/utils/crc.cpp`).
///
/// Reflected polynomial `0x82F63B78` (normal form `0x1EDC6F41`), input and output reflected, the
/// running value inverted before and after: the common CRC-32C, whose check value for the ASCII
/// bytes `123456789` is `0xE3069283`. It is **not** the CRC-32 of zlib.
///
/// `continuing` chains like rDSN's `crc32_calc(ptr, size, init_crc)`: the checksum of `a` followed
/// by `b` is `checksum(b, continuing: checksum(a))`.
public enum CRC32C {
    /// The reflected polynomial.
    public static let polynomial: UInt32 = 0x82F6_3B78

    /// The byte-at-a-time lookup table, built from `polynomial`.
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ polynomial : value >> 1
        }
        return value
    }

    /// The checksum of `bytes`.
    /// - Parameters:
    ///   - bytes: The bytes to checksum.
    ///   - continuing: The checksum of the bytes that came before (0 to start).
    public static func checksum(_ bytes: some Sequence<UInt8>, continuing: UInt32 = 0) -> UInt32 {
        var crc = ~continuing
        for byte in bytes {
            crc = table[Int(UInt8(truncatingIfNeeded: crc) ^ byte)] ^ (crc >> 8)
        }
        return ~crc
    }

    /// The checksum of the readable bytes of `buffer` (the buffer is not consumed).
    /// - Parameters:
    ///   - buffer: The bytes to checksum.
    ///   - continuing: The checksum of the bytes that came before (0 to start).
    public static func checksum(_ buffer: ByteBuffer, continuing: UInt32 = 0) -> UInt32 {
        buffer.withUnsafeReadableBytes { checksum($0, continuing: continuing) }
    }
}

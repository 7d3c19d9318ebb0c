import NIOCore

/// A 48-byte, NUL-terminated name field of the rDSN `message_header`: `rpc_name` and
/// `server.error_name` (`DSN_MAX_TASK_CODE_NAME_LENGTH`, `DSN_MAX_ERROR_CODE_NAME_LENGTH`;
/// docs/protocol.md, "RDSN native frames").
///
/// The raw 48 bytes are kept as received, so a decoded header re-encodes byte for byte even when
/// a sender left bytes after the terminator. Built from a string the way rDSN fills it
/// (`strncpy(dst, src, 47); dst[47] = 0`): at most 47 bytes of text, the rest zero.
///
/// The bytes are stored inline (six 64-bit words, little-endian), so reading, comparing and writing
/// a name allocates nothing.
public struct RdsnName: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Size of the field in the header.
    public static let capacity = 48

    /// The field's 48 bytes as six little-endian words.
    private var w0: UInt64 = 0
    private var w1: UInt64 = 0
    private var w2: UInt64 = 0
    private var w3: UInt64 = 0
    private var w4: UInt64 = 0
    private var w5: UInt64 = 0

    /// The all-zero field (an empty name).
    public static let empty = RdsnName(bytes: [])

    /// A name from text: its UTF-8 bytes up to the first NUL, cut to 47 bytes, zero-padded.
    public init(_ text: String) {
        var length = 0
        for byte in text.utf8 {
            if byte == 0 || length == Self.capacity - 1 { break }
            setByte(byte, at: length)
            length += 1
        }
    }

    private init() {}

    /// A name from a literal.
    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// A field from raw bytes: the first 48 are kept, a shorter input is zero-padded.
    public init(bytes: some Collection<UInt8>) {
        for (index, byte) in bytes.prefix(Self.capacity).enumerated() {
            setByte(byte, at: index)
        }
    }

    /// The 48 bytes at `index` of `buffer` (without moving its reader index); `nil` when fewer are
    /// there. Allocates nothing.
    public init?(at index: Int, in buffer: ByteBuffer) {
        guard let w0 = buffer.getInteger(at: index, endianness: .little, as: UInt64.self),
            let w5 = buffer.getInteger(at: index + 40, endianness: .little, as: UInt64.self)
        else { return nil }
        self.w0 = w0
        self.w1 = buffer.getInteger(at: index + 8, endianness: .little, as: UInt64.self) ?? 0
        self.w2 = buffer.getInteger(at: index + 16, endianness: .little, as: UInt64.self) ?? 0
        self.w3 = buffer.getInteger(at: index + 24, endianness: .little, as: UInt64.self) ?? 0
        self.w4 = buffer.getInteger(at: index + 32, endianness: .little, as: UInt64.self) ?? 0
        self.w5 = w5
    }

    /// Writes the 48 bytes to `buffer`. Allocates nothing beyond the buffer's own growth.
    public func write(into buffer: inout ByteBuffer) {
        buffer.writeMultipleIntegers(w0, w1, w2, w3, w4, w5, endianness: .little)
    }

    /// The field's 48 bytes.
    public var bytes: [UInt8] {
        (0..<Self.capacity).map { byte(at: $0) }
    }

    /// The number of bytes before the first NUL (48 when there is none).
    public var textLength: Int {
        var index = 0
        while index < Self.capacity, byte(at: index) != 0 { index += 1 }
        return index
    }

    /// This name with `suffix` appended to its text, cut to 47 bytes as rDSN does (`<name>_ACK`
    /// for a reply). Allocates nothing.
    public func appending(_ suffix: StaticString) -> RdsnName {
        let own = textLength
        guard (0..<own).allSatisfy({ byte(at: $0) < 0x80 }) else {
            // Not ASCII: `text` repairs invalid UTF-8 as the string-built name always did.
            return RdsnName(text + suffix.description)
        }
        var result = RdsnName()
        var length = 0
        while length < min(own, Self.capacity - 1) {
            result.setByte(byte(at: length), at: length)
            length += 1
        }
        suffix.withUTF8Buffer { suffix in
            for byte in suffix where length < Self.capacity - 1 {
                if byte == 0 { break }
                result.setByte(byte, at: length)
                length += 1
            }
        }
        return result
    }

    /// The text before the first NUL (invalid UTF-8 repaired). A field with no NUL at all, which
    /// rDSN never writes, yields all 48 bytes.
    public var text: String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// `text`.
    public var description: String { text }

    private func word(_ index: Int) -> UInt64 {
        switch index {
        case 0: w0
        case 1: w1
        case 2: w2
        case 3: w3
        case 4: w4
        default: w5
        }
    }

    private func byte(at index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: word(index / 8) >> (8 * UInt64(index % 8)))
    }

    private mutating func setByte(_ byte: UInt8, at index: Int) {
        let shift = 8 * UInt64(index % 8)
        let mask = ~(UInt64(0xff) << shift)
        let value = UInt64(byte) << shift
        switch index / 8 {
        case 0: w0 = w0 & mask | value
        case 1: w1 = w1 & mask | value
        case 2: w2 = w2 & mask | value
        case 3: w3 = w3 & mask | value
        case 4: w4 = w4 & mask | value
        default: w5 = w5 & mask | value
        }
    }
}

/// A 48-byte, NUL-terminated name field of the rDSN `message_header`: `rpc_name` and
/// `server.error_name` (`DSN_MAX_TASK_CODE_NAME_LENGTH`, `DSN_MAX_ERROR_CODE_NAME_LENGTH`;
/// docs/protocol.md, "RDSN native frames").
///
/// The raw 48 bytes are kept as received, so a decoded header re-encodes byte for byte even when
/// a sender left bytes after the terminator. Built from a string the way rDSN fills it
/// (`strncpy(dst, src, 47); dst[47] = 0`): at most 47 bytes of text, the rest zero.
public struct RdsnName: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Size of the field in the header.
    public static let capacity = 48

    /// The field's 48 bytes.
    public private(set) var bytes: [UInt8]

    /// The all-zero field (an empty name).
    public static let empty = RdsnName(bytes: [])

    /// A name from text: its UTF-8 bytes up to the first NUL, cut to 47 bytes, zero-padded.
    public init(_ text: String) {
        self.init(bytes: Array(text.utf8.prefix { $0 != 0 }.prefix(Self.capacity - 1)))
    }

    /// A name from a literal.
    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// A field from raw bytes: the first 48 are kept, a shorter input is zero-padded.
    public init(bytes: some Collection<UInt8>) {
        var field = Array(bytes.prefix(Self.capacity))
        field.append(contentsOf: repeatElement(0, count: Self.capacity - field.count))
        self.bytes = field
    }

    /// The text before the first NUL (invalid UTF-8 repaired). A field with no NUL at all, which
    /// rDSN never writes, yields all 48 bytes.
    public var text: String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// `text`.
    public var description: String { text }
}

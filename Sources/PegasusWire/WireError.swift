/// An error raised while reading or validating Pegasus/rDSN wire bytes.
///
/// Every reader in this module throws `WireError` on short or hostile input; nothing traps.
/// A frame decoder that merely needs more bytes returns `nil` instead of throwing.
public struct WireError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of problem was found. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case truncated
            case badMagic
            case badHeaderVersion
            case badHeaderLength
            case badFrameLength
            case frameTooLarge
            case negativeLength
            case invalidType
            case nestingTooDeep
            case badMessageType
            case badMessageVersion
            case missingField
            case invalidValue
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The input ended before a value, length or frame was complete.
        public static let truncated = Code(.truncated)
        /// A request frame does not start with `THFT` (docs/pegasus-reference.md §2, §3).
        public static let badMagic = Code(.badMagic)
        /// A THFT header version other than 0 or 1 (docs/pegasus-reference.md §2).
        public static let badHeaderVersion = Code(.badHeaderVersion)
        /// A v0 header whose `hdr_length` is not 48 (docs/pegasus-reference.md §3.1).
        public static let badHeaderLength = Code(.badHeaderLength)
        /// A reply's `total_length` is too small to hold its own fixed parts (docs/pegasus-reference.md §4).
        public static let badFrameLength = Code(.badFrameLength)
        /// A frame announces more bytes than the decoder's `maxFrameBytes`.
        public static let frameTooLarge = Code(.frameTooLarge)
        /// A negative string, binary, collection or frame length.
        public static let negativeLength = Code(.negativeLength)
        /// A Thrift type id that is not defined, or not the one the schema expects.
        public static let invalidType = Code(.invalidType)
        /// Nested containers or structs deeper than the reader's limit.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// A Thrift message type that is undefined or not allowed here (e.g. REPLY in a request).
        public static let badMessageType = Code(.badMessageType)
        /// A strict message begin whose version bits are not `0x8001`.
        public static let badMessageVersion = Code(.badMessageVersion)
        /// A field that must be present (e.g. result field 0 "success") is absent.
        public static let missingField = Code(.missingField)
        /// A value outside what the protocol allows.
        public static let invalidValue = Code(.invalidValue)

        /// The code's name, e.g. `truncated`.
        public var description: String { base.rawValue }
    }

    /// What kind of problem was found.
    public var code: Code
    /// Byte offset of the problem, from the start of the frame or buffer being read, when known.
    public var offset: Int?
    /// Human-readable context: which field, length or value was wrong.
    public var detail: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: What kind of problem was found.
    ///   - offset: Byte offset of the problem, if known.
    ///   - detail: Context for a reader of logs.
    public init(_ code: Code, offset: Int? = nil, detail: String) {
        self.code = code
        self.offset = offset
        self.detail = detail
    }

    /// `WireError(<code>) at offset <n>: <detail>`.
    public var description: String {
        if let offset {
            return "WireError(\(code)) at offset \(offset): \(detail)"
        }
        return "WireError(\(code)): \(detail)"
    }
}

/// An ``EffectiveRoute`` that cannot be encoded or decoded.
public struct FailoverDocumentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case encoding, decoding
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// JSON encoding failed.
        public static let encoding = Code(.encoding)
        /// The bytes are not a valid document.
        public static let decoding = Code(.decoding)

        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The table, or the ZooKeeper path the bytes came from.
    public var subject: String
    /// The coder's message.
    public var detail: String

    /// Creates an error.
    public init(code: Code, subject: String, detail: String) {
        self.code = code
        self.subject = subject
        self.detail = detail
    }

    /// `subject: code: detail`.
    public var description: String { "\(subject): \(code): \(detail)" }
}

/// A policy file, policy directory or policy registration that cannot be used.
///
/// The ``description`` names the file and the key path inside it, for example
/// `policies/fast.yaml: switch.cooldown: "30x" is not a duration`.
public struct PolicyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong. New codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unreadable = "unreadable"
            case invalidYAML = "invalid YAML"
            case missingKey = "missing key"
            case unknownKey = "unknown key"
            case invalidValue = "invalid value"
            case unknownKind = "unknown kind"
            case duplicateTable = "duplicate table"
            case ambiguousPattern = "ambiguous pattern"
            case duplicateKind = "duplicate kind"
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The directory or a file in it could not be listed or read.
        public static let unreadable = Code(.unreadable)
        /// The file is not well-formed YAML (or not UTF-8), or has duplicate keys in one mapping.
        public static let invalidYAML = Code(.invalidYAML)
        /// A required key is absent.
        public static let missingKey = Code(.missingKey)
        /// A key that neither the built-in sections nor the policy's kind accept.
        public static let unknownKey = Code(.unknownKey)
        /// A value of the wrong type or out of range.
        public static let invalidValue = Code(.invalidValue)
        /// `kind` names no kind in the ``PolicyRegistry``.
        public static let unknownKind = Code(.unknownKind)
        /// Two files claim the same exact table name.
        public static let duplicateTable = Code(.duplicateTable)
        /// Two files hold glob patterns of equal specificity that can match the same table.
        public static let ambiguousPattern = Code(.ambiguousPattern)
        /// A kind name registered twice in one ``PolicyRegistry``.
        public static let duplicateKind = Code(.duplicateKind)

        /// The code's name, e.g. `unknown key`.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The policy file (as `directory/name.yaml`), or the directory, or `nil` for registry errors.
    public var file: String?
    /// The dotted key path inside the file, e.g. `switch.cooldown`, or `nil` for whole-file errors.
    public var keyPath: String?
    /// What is wrong with the value, for a human.
    public var message: String
    /// The other file involved in a ``Code/duplicateTable`` or ``Code/ambiguousPattern`` error.
    public var otherFile: String?

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - file: The policy file or directory.
    ///   - keyPath: The dotted key path inside the file.
    ///   - message: Human text; it should name the offending value.
    ///   - otherFile: The second file of a conflict.
    public init(code: Code, file: String?, keyPath: String?, message: String, otherFile: String? = nil) {
        self.code = code
        self.file = file
        self.keyPath = keyPath
        self.message = message
        self.otherFile = otherFile
    }

    /// `file: key.path: message`, leaving out the parts that are `nil`.
    public var description: String {
        [file, keyPath, message].compactMap { $0 }.joined(separator: ": ")
    }
}

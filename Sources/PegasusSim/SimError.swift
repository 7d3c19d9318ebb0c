/// An error from the simulated cluster: a bad configuration, a control call naming something that
/// does not exist, or a listener that could not be bound.
public struct SimError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidConfiguration
            case unknownTable
            case indexOutOfRange
            case invalidArgument
            case notStarted
            case bindFailed
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The configuration cannot describe a cluster (no metas, duplicate table names or app ids, ...).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A control call named a table the cluster does not have.
        public static let unknownTable = Code(.unknownTable)
        /// A meta, replica or partition index outside the cluster.
        public static let indexOutOfRange = Code(.indexOutOfRange)
        /// A control argument that cannot be used (negative count, unknown status name, ...).
        public static let invalidArgument = Code(.invalidArgument)
        /// The cluster has not been started (or was stopped).
        public static let notStarted = Code(.notStarted)
        /// A listener could not be bound to its address.
        public static let bindFailed = Code(.bindFailed)

        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// What it concerns: a table name, `meta[2]`, an address, a control parameter.
    public var subject: String
    /// Human-readable details.
    public var detail: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - subject: What it concerns (table, node, address, parameter).
    ///   - detail: Details for a reader.
    public init(_ code: Code, subject: String, detail: String) {
        self.code = code
        self.subject = subject
        self.detail = detail
    }

    /// `<code> (<subject>): <detail>`.
    public var description: String {
        "\(code) (\(subject)): \(detail)"
    }
}

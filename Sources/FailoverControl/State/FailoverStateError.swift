import PegasusWire
import RouteModel
import Router

/// A failover state document that could not be written.
public struct FailoverStateError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case conflict
            case unavailable
            case encoding
            case fenced
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The document changed (or appeared, or vanished) since it was read: compare-and-set failed.
        public static let conflict = Code(.conflict)
        /// The state source cannot be written now (ZooKeeper unreachable, request failed).
        public static let unavailable = Code(.unavailable)
        /// The document could not be encoded.
        public static let encoding = Code(.encoding)
        /// A decider write was rejected because the writer's election node is gone (``DeciderFence``): it is
        /// no longer the decider (its session expired, or the node was deleted), and nothing was written.
        public static let fenced = Code(.fenced)

        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The table.
    public var table: String
    /// Where the document lives: a ZooKeeper path, or `memory` for the local store.
    public var path: String
    /// The underlying error or the versions involved.
    public var detail: String

    /// Creates an error.
    public init(code: Code, table: String, path: String, detail: String) {
        self.code = code
        self.table = table
        self.path = path
        self.detail = detail
    }

    /// `path: code: detail`.
    public var description: String { "\(path): \(code): \(detail)" }
}

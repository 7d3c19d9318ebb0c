import FailoverPolicy
import PegasusWire
import RouteModel
import Router

/// Why a `meta-proxy failover` action failed or was refused.
///
/// The description is meant for the operator: it names the table, the planned-switch step, the
/// ZooKeeper node or cluster involved, and what to do next where there is something to do.
public struct FailoverAdminError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unknownTable, refused, conflict, malformedNode, zooKeeper, metaRPC, plannedStep, invalidArgument
            case locked, interrupted, lagging
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The table has no declared route (no node `<root>/<table>`).
        public static let unknownTable = Code(.unknownTable)
        /// ``FailoverPolicy/ManualSwitch`` refused the switch (see ``FailoverAdminError/reason``).
        public static let refused = Code(.refused)
        /// A compare-and-set write lost: the node changed between the read and the write.
        public static let conflict = Code(.conflict)
        /// A failover node holds data that cannot be decoded.
        public static let malformedNode = Code(.malformedNode)
        /// A ZooKeeper request failed.
        public static let zooKeeper = Code(.zooKeeper)
        /// A MetaServer request failed or answered an error.
        public static let metaRPC = Code(.metaRPC)
        /// A step of a planned switchover failed (see ``FailoverAdminError/step``).
        public static let plannedStep = Code(.plannedStep)
        /// The request itself is invalid (e.g. a planned switch without a MetaServer client).
        public static let invalidArgument = Code(.invalidArgument)
        /// Another process holds the table's planned switchover lock (the message names it).
        public static let locked = Code(.locked)
        /// A planned switchover stopped at a safe point (a signal, or a write whose outcome is
        /// unknown): its record says where; resume or abort it.
        public static let interrupted = Code(.interrupted)
        /// Live instances did not route the table to the target in time (the message lists them).
        public static let lagging = Code(.lagging)

        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The table, when one is concerned.
    public var table: String?
    /// The ZooKeeper node, when one is concerned.
    public var path: String?
    /// The planned-switch step that failed, for ``Code/plannedStep``.
    public var step: FailoverAdmin.PlannedStep?
    /// The policy's reason, for ``Code/refused``.
    public var reason: DecisionReason?
    /// What happened, for people.
    public var message: String

    /// Creates an error.
    public init(
        _ code: Code,
        table: String? = nil,
        path: String? = nil,
        step: FailoverAdmin.PlannedStep? = nil,
        reason: DecisionReason? = nil,
        message: String
    ) {
        self.code = code
        self.table = table
        self.path = path
        self.step = step
        self.reason = reason
        self.message = message
    }

    /// `[step <step>: ]<message>[ (node <path>)]`.
    public var description: String {
        var text = step.map { "step \($0.rawValue): " } ?? ""
        text += message
        if let path, !message.contains(path) {
            text += " (node \(path))"
        }
        return text
    }
}

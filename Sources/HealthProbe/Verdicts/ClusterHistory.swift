#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A cluster's recent probe history, bounded to the prober's `historyLimit` entries per list.
public struct ClusterHistory: Sendable, Hashable, Codable {
    /// The last round verdicts, oldest first.
    public var verdicts: [VerdictRecord]
    /// The last state transitions, oldest first.
    public var transitions: [HealthTransitionRecord]

    /// Creates a history.
    /// - Parameters:
    ///   - verdicts: The round verdicts.
    ///   - transitions: The transitions.
    public init(verdicts: [VerdictRecord] = [], transitions: [HealthTransitionRecord] = []) {
        self.verdicts = verdicts
        self.transitions = transitions
    }

    /// Appends a verdict, dropping the oldest beyond `limit`.
    mutating func append(_ record: VerdictRecord, limit: Int) {
        self.verdicts.append(record)
        if self.verdicts.count > limit {
            self.verdicts.removeFirst(self.verdicts.count - limit)
        }
    }

    /// Appends a transition, dropping the oldest beyond `limit`.
    mutating func append(_ record: HealthTransitionRecord, limit: Int) {
        self.transitions.append(record)
        if self.transitions.count > limit {
            self.transitions.removeFirst(self.transitions.count - limit)
        }
    }
}

/// One round's verdict and when it was reached.
public struct VerdictRecord: Sendable, Hashable, Codable {
    /// When the round finished.
    public var at: Date
    /// The verdict.
    public var verdict: ClusterVerdict

    /// Creates a record.
    /// - Parameters:
    ///   - at: When the round finished.
    ///   - verdict: The verdict.
    public init(at: Date, verdict: ClusterVerdict) {
        self.at = at
        self.verdict = verdict
    }
}

/// One state transition and when it happened.
public struct HealthTransitionRecord: Sendable, Hashable, Codable {
    /// When the state changed.
    public var at: Date
    /// The state left.
    public var from: HealthStatus
    /// The state entered.
    public var to: HealthStatus

    /// Creates a record.
    /// - Parameters:
    ///   - at: When the state changed.
    ///   - from: The state left.
    ///   - to: The state entered.
    public init(at: Date, from: HealthStatus, to: HealthStatus) {
        self.at = at
        self.from = from
        self.to = to
    }
}

/// A cluster state transition, as delivered by ``HealthProber/changes()``.
public struct ClusterStateChange: Sendable, Hashable, Codable {
    /// The cluster name.
    public var cluster: String
    /// The state left.
    public var from: HealthStatus
    /// The state entered.
    public var to: HealthStatus
    /// When the state changed.
    public var at: Date
    /// The verdict of the round that caused the change.
    public var verdict: ClusterVerdict

    /// Creates a change.
    /// - Parameters:
    ///   - cluster: The cluster name.
    ///   - from: The state left.
    ///   - to: The state entered.
    ///   - at: When the state changed.
    ///   - verdict: The deciding verdict.
    public init(cluster: String, from: HealthStatus, to: HealthStatus, at: Date, verdict: ClusterVerdict) {
        self.cluster = cluster
        self.from = from
        self.to = to
        self.at = at
        self.verdict = verdict
    }
}

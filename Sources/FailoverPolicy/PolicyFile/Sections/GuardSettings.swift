import Foundation
import PegasusWire
import Yams

/// The `guard:` section: the data-loss bound an automatic switch must respect
/// (manual switches too, unless forced).
///
/// ```yaml
/// guard: { max_lag_decrees: 1000, max_lag_age: 60s }
/// ```
/// A duplication passes when it is duplicating, its status is `DS_LOG`, its fail mode is not
/// `FAIL_SKIP`, its lag is known, the lag observation is at most `max_lag_age` old and the lag is at
/// most `max_lag_decrees` (docs/pegasus-reference.md §12.3–§12.4).
///
/// - Important: when the primary dies its lag can no longer be read, so the observation ages from
///   then on. `max_lag_age` must leave room for `probe.interval × probe.fall + switch.min_down` plus
///   the lag reader's own period, or every automatic failover is refused as stale.
public struct GuardSettings: Hashable, Sendable {
    /// `guard.max_lag_decrees`: the largest acceptable per-partition lag, in decrees. Default `1000`, at least `0`.
    public var maxLagDecrees: Int
    /// `guard.max_lag_age`: the oldest acceptable lag observation. Default `60s`, greater than zero.
    public var maxLagAge: Duration

    /// The outcome of ``evaluate(_:link:now:)``.
    public enum Verdict: Hashable, Sendable {
        /// The duplication is within bounds: its lag and the age of that lag observation.
        case allowed(lagDecrees: Int, age: Duration)
        /// The duplication fails the guard, with the reason.
        case denied(DecisionReason)
    }

    /// Creates guard settings; the defaults are those of a policy file without a `guard:` section.
    public init(maxLagDecrees: Int = 1000, maxLagAge: Duration = .seconds(60)) {
        self.maxLagDecrees = maxLagDecrees
        self.maxLagAge = maxLagAge
    }

    /// Judges one duplication against this guard.
    /// - Parameters:
    ///   - view: The duplication, or `nil` when the table does not duplicate there.
    ///   - link: How to name the duplication in reason texts, e.g. `pegasus-a → pegasus-b`.
    ///   - now: The decision time.
    /// - Returns: ``Verdict/allowed(lagDecrees:age:)`` or the reason it is denied.
    public func evaluate(_ view: DuplicationView?, link: String, now: Date) -> Verdict {
        guard let view, view.duplicating else {
            return .denied(DecisionReason(.notDuplicating, "\(link): no duplication"))
        }
        guard view.status == .log else {
            return .denied(
                DecisionReason(.duplicationNotLog, "\(link): duplication status \(view.status), not DS_LOG")
            )
        }
        guard view.failMode != .skip else {
            return .denied(DecisionReason(.failSkip, "\(link): fail mode FAIL_SKIP drops writes"))
        }
        guard let lag = view.maxLagDecrees, lag >= 0, let observedAt = view.observedAt else {
            return .denied(DecisionReason(.lagUnknown, "\(link): lag unknown"))
        }
        let age = now.elapsed(since: observedAt)
        guard age <= maxLagAge else {
            let text =
                "\(link): lag observation \(PolicyDuration.format(age)) old "
                + "> max_lag_age \(PolicyDuration.format(maxLagAge))"
            return .denied(DecisionReason(.observationStale, text))
        }
        guard lag <= maxLagDecrees else {
            return .denied(
                DecisionReason(.lagTooHigh, "\(link): lag \(lag) decrees > max_lag_decrees \(maxLagDecrees)")
            )
        }
        return .allowed(lagDecrees: lag, age: age)
    }
}

extension GuardSettings {
    /// The `guard:` keys.
    static let keys: Set<String> = ["max_lag_decrees", "max_lag_age"]

    /// Reads a `guard:` section; keys it does not set keep their defaults.
    /// - Parameters:
    ///   - node: The section's YAML node.
    ///   - parser: The file's parser (file name for errors, scalar readers).
    /// - Throws: ``PolicyError`` naming `guard.<key>`.
    init(section node: Node, parser: PolicyFileParser) throws(PolicyError) {
        self.init()
        let entries = try parser.section(node, at: "guard", keys: Self.keys)
        try parser.read(entries, "max_lag_decrees", in: "guard", parser.integer, into: &self.maxLagDecrees)
        try parser.read(entries, "max_lag_age", in: "guard", parser.duration, into: &self.maxLagAge)
    }

    /// Checks the ranges listed on each property.
    /// - Parameter spec: The policy, for the file name in errors.
    /// - Throws: ``PolicyError`` naming the first offending `guard.<key>`.
    func validate(in spec: PolicySpec) throws(PolicyError) {
        if maxLagDecrees < 0 {
            throw spec.invalidValue(at: "guard.max_lag_decrees", "\(maxLagDecrees) is negative")
        }
        if maxLagAge <= .zero {
            throw spec.invalidValue(at: "guard.max_lag_age", "must be greater than 0")
        }
    }
}

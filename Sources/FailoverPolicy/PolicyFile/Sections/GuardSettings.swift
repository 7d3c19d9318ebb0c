import Foundation
import PegasusWire

/// The `guard:` section: the data-loss bound an automatic switch must respect
/// (manual switches too, unless forced).
///
/// ```yaml
/// guard: { max_lag_decrees: 1000, max_lag_age: 60s }
/// ```
/// A duplication passes when it is duplicating, its status is `DS_LOG`, its fail mode is not
/// `FAIL_SKIP`, its lag is known, the lag observation is at most `max_lag_age` old and the lag is at
/// most `max_lag_decrees` (design doc §3.3–3.4).
///
/// - Important: when the primary dies its lag can no longer be read, so the observation ages from
///   then on. `max_lag_age` must leave room for `probe.interval × probe.fall + switch.min_down` plus
///   the lag reader's own period, or every automatic failover is refused as stale.
public struct GuardSettings: Hashable, Sendable {
    /// `guard.max_lag_decrees`: the largest acceptable per-partition lag, in decrees. Default `1000`, at least `0`.
    public var maxLagDecrees: Int
    /// `guard.max_lag_age`: the oldest acceptable lag observation. Default `60s`, greater than zero.
    public var maxLagAge: Duration

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
    /// - Returns: ``GuardVerdict/allowed(lagDecrees:age:)`` or the reason it is denied.
    public func evaluate(_ view: DuplicationView?, link: String, now: Date) -> GuardVerdict {
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

/// Kind `auto-failover-failback`: ``AutoFailoverKind``'s failover, plus automatic failback.
///
/// On a backup the table was moved to **automatically**, switch back to the primary once the
/// primary has been *up* (after `probe.rise` good probes) for at least `failback.after_healthy` and
/// `switch.cooldown` has passed since the last switch, and a `switch.quorum` of live observers sees
/// the primary up (else refused, ``DecisionReason/Code/noQuorum``; the backup switched away from is
/// alive, so no replica lease applies). A backup an operator chose is kept
/// (``DecisionReason/Code/operatorSwitchHeld``).
///
/// Data caveat: the old primary's unshipped tail (its lag at failure) never reached the backup, and
/// writes taken by the backup reach the primary only through a reverse duplication (backup → primary).
/// So failback is guarded in the reverse direction: a known reverse view
/// (``DecisionInput/reverseDuplications``) must pass the `guard:` or the failback is refused with the
/// guard's reason; with no reverse view the failback is refused
/// (``DecisionReason/Code/reverseDuplicationUnknown``) unless
/// `failback: { require_reverse_duplication: false }`.
public struct AutoFailoverFailbackKind: FailoverPolicyKind {
    /// `auto-failover-failback`.
    public static let name = "auto-failover-failback"
    /// Accepts the `failback:` section.
    public static let acceptedKeys: Set<String> = ["failback"]

    private let rules: AutomaticFailover
    private let failback: FailbackSettings

    /// Creates the kind from the spec's `switch:`, `guard:` and `failback:` settings.
    public init(spec: PolicySpec) {
        rules = AutomaticFailover(spec: spec)
        failback = spec.failback
    }

    /// Decides as described on the type.
    public func decide(_ input: DecisionInput) -> Decision {
        rules.decide(input) { backup, automatic in
            guard automatic else {
                let reason = DecisionReason(
                    .operatorSwitchHeld,
                    "on backup \(backup) by operator; automatic failback does not undo it"
                )
                return rules.stay(on: backup, input, because: reason)
            }
            return decideFailback(from: backup, input)
        }
    }

    private func decideFailback(from backup: String, _ input: DecisionInput) -> Decision {
        let primary = input.primary
        let health = input.health(of: primary)
        guard health.state == .up else {
            let reason = DecisionReason(.primaryNotUp, "primary \(primary) health \(health.state.rawValue)")
            return rules.stay(on: backup, input, because: reason)
        }
        let upFor = input.now.elapsed(since: health.since)
        guard upFor >= failback.afterHealthy else {
            let text =
                "primary \(primary) up for \(PolicyDuration.format(upFor)) "
                + "< after_healthy \(PolicyDuration.format(failback.afterHealthy))"
            return rules.stay(on: backup, input, because: DecisionReason(.primaryUpTooShort, text))
        }
        if let cooling = rules.cooldown(input) {
            return .keep(cooling)
        }
        if let noQuorum = rules.noQuorum(primary, role: "primary", seeing: .up, input) {
            return .refuse(DecisionReason(.noQuorum, "failback refused: \(noQuorum.text)"))
        }
        if let denied = input.denialReason(of: primary) {
            return .refuse(DecisionReason(denied.code, "failback refused: \(denied.text)"))
        }
        let healthy = "primary \(primary) up for \(PolicyDuration.format(upFor))"
        guard let reverse = input.reverseDuplications[backup] else {
            if failback.requireReverseDuplication {
                let text =
                    "\(healthy), but no reverse duplication \(backup) → \(primary) is known: "
                    + "failing back would drop the writes \(backup) took"
                return .refuse(DecisionReason(.reverseDuplicationUnknown, text))
            }
            let text = "\(healthy); no reverse duplication known, require_reverse_duplication is false"
            return .switchBack(DecisionReason(.primaryHealthy, text))
        }
        switch rules.lagGuard.evaluate(reverse, link: "\(backup) → \(primary)", now: input.now) {
        case .allowed(let lag, let age):
            let text =
                "\(healthy); \(backup) → \(primary) lag \(lag) decrees observed \(PolicyDuration.format(age)) ago"
            return .switchBack(DecisionReason(.primaryHealthy, text))
        case .denied(let reason):
            return .refuse(DecisionReason(reason.code, "failback refused: \(reason.text)"))
        }
    }
}

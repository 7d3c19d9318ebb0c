/// Kind `auto-failover`: fails over automatically, never fails back.
///
/// * Paused → ``Decision/keep(_:)`` (``DecisionReason/Code/paused``).
/// * On the primary: when the primary is *down* (after `probe.fall` failures) for at least
///   `switch.min_down`, and no switch happened within `switch.cooldown`, switch to the first
///   **eligible** backup in preference order. A backup is eligible when it is *up*, the table
///   duplicates to it with status `DS_LOG`, not `FAIL_SKIP`, with a known lag ≤ `guard.max_lag_decrees`
///   observed ≤ `guard.max_lag_age` ago (``GuardSettings``). No eligible backup → ``Decision/refuse(_:)``
///   with the most preferred backup's rejection code and every backup's reason in the text.
///   No backup declared → keep. A primary that is up or unknown, or down for less than
///   `min_down` (a probe glitch), → keep. Within cooldown → keep, so a flapping primary switches at
///   most once per cooldown.
///   Then three checks against split writes: a decider that sees more than half of all probed
///   clusters down refuses (``DecisionReason/Code/observerSuspect``); fewer than `switch.quorum` live
///   observers seeing the primary down, or the backup up, refuses (``DecisionReason/Code/noQuorum``);
///   and until `switch.replica_lease` has passed since any observer last saw a MetaServer of the
///   primary answer, keep (``DecisionReason/Code/leaseNotExpired``).
/// * On a backup: keep (``DecisionReason/Code/automaticFailbackDisabled``) until an operator runs
///   `failover back`. If that backup is down for `min_down`, refuse
///   (``DecisionReason/Code/effectiveBackupDown``): writes it took are on no other cluster, so moving
///   on to another backup is an operator's call.
public struct AutoFailoverKind: FailoverPolicyKind {
    /// `auto-failover`.
    public static let name = "auto-failover"

    private let rules: AutomaticFailover

    /// Creates the kind from the spec's `switch:` and `guard:` settings.
    public init(spec: PolicySpec) {
        rules = AutomaticFailover(spec: spec)
    }

    /// Decides as described on the type.
    public func decide(_ input: DecisionInput) -> Decision {
        rules.decide(input) { backup, _ in
            let reason = DecisionReason(
                .automaticFailbackDisabled,
                "on backup \(backup); kind auto-failover never fails back: operator runs `failover back`"
            )
            return rules.stay(on: backup, input, because: reason)
        }
    }
}

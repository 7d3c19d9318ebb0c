import Foundation

/// The rules `auto-failover` and `auto-failover-failback` share.
struct AutomaticFailover: Sendable {
    let switching: SwitchSettings
    let lagGuard: GuardSettings

    init(spec: PolicySpec) {
        switching = spec.switching
        lagGuard = spec.lagGuard
    }

    /// Paused → keep; on the primary → ``decideOnPrimary(_:)``; on a backup → `onBackup(backup, automatic)`.
    func decide(_ input: DecisionInput, onBackup: (_ backup: String, _ automatic: Bool) -> Decision) -> Decision {
        if let paused = input.pauseReason {
            return .keep(paused)
        }
        switch input.current.placement {
        case .onPrimary:
            return decideOnPrimary(input)
        case .onBackup(let backup, _, _, let automatic):
            return onBackup(backup, automatic)
        }
    }

    /// On the primary: switch to the first eligible backup once the primary has been down for
    /// `min_down` and the cooldown has passed; refuse when no backup is eligible.
    func decideOnPrimary(_ input: DecisionInput) -> Decision {
        let primary = input.primary
        if let notYet = notDownLongEnough(primary, role: "primary", input) {
            return .keep(notYet)
        }
        if let cooling = cooldown(input) {
            return .keep(cooling)
        }
        let downFor = PolicyDuration.format(input.now.elapsed(since: input.health(of: primary).since))
        guard !input.backups.isEmpty else {
            return .keep(
                DecisionReason(.noBackupDeclared, "primary \(primary) down for \(downFor); no backup declared")
            )
        }
        var rejections: [DecisionReason] = []
        for backup in input.backups {
            switch eligibility(of: backup, input) {
            case .allowed(let lag, let age):
                let text =
                    "primary \(primary) down for \(downFor) (min_down \(PolicyDuration.format(switching.minDown))); "
                    + "\(backup): lag \(lag) decrees observed \(PolicyDuration.format(age)) ago"
                return .switchTo(cluster: backup, reason: DecisionReason(.effectiveDown, text))
            case .denied(let reason):
                rejections.append(reason)
            }
        }
        // The code is why the most preferred backup was rejected; the text lists every backup.
        let text =
            "primary \(primary) down for \(downFor); no eligible backup: "
            + rejections.map(\.text).joined(separator: "; ")
        return .refuse(DecisionReason(rejections[0].code, text))
    }

    /// On a backup and not switching back: refuse when that backup has been down for `min_down`
    /// (no automatic move to another backup: the writes it took are not duplicated anywhere),
    /// else keep with `reason`.
    func stay(on backup: String, _ input: DecisionInput, because reason: DecisionReason) -> Decision {
        if notDownLongEnough(backup, role: "active backup", input) == nil {
            let downFor = PolicyDuration.format(input.now.elapsed(since: input.health(of: backup).since))
            let text =
                "active backup \(backup) down for \(downFor); writes it took exist nowhere else, "
                + "so no automatic move to another cluster: operator action needed"
            return .refuse(DecisionReason(.effectiveBackupDown, text))
        }
        return .keep(reason)
    }

    /// `nil` when `cluster` has been down for at least `min_down`, else why not.
    func notDownLongEnough(_ cluster: String, role: String, _ input: DecisionInput) -> DecisionReason? {
        let health = input.health(of: cluster)
        switch health.state {
        case .up:
            return DecisionReason(.effectiveUp, "\(role) \(cluster) is up")
        case .unknown:
            return DecisionReason(.effectiveUnknown, "\(role) \(cluster) health unknown")
        case .down:
            let downFor = input.now.elapsed(since: health.since)
            guard downFor >= switching.minDown else {
                let text =
                    "\(role) \(cluster) down for \(PolicyDuration.format(downFor)) "
                    + "< min_down \(PolicyDuration.format(switching.minDown))"
                return DecisionReason(.downTooShort, text)
            }
            return nil
        }
    }

    /// The cooldown reason when the last switch was less than `cooldown` ago, else `nil`.
    func cooldown(_ input: DecisionInput) -> DecisionReason? {
        guard let last = input.current.lastSwitchAt else {
            return nil
        }
        let since = input.now.elapsed(since: last)
        guard since < switching.cooldown else {
            return nil
        }
        let text =
            "last switch \(PolicyDuration.format(since)) ago < cooldown \(PolicyDuration.format(switching.cooldown))"
        return DecisionReason(.cooldown, text)
    }

    /// A backup is eligible when it is up, its table does not deny client requests, and its
    /// duplication from the primary is observed and passes the guard.
    private func eligibility(of backup: String, _ input: DecisionInput) -> GuardSettings.Verdict {
        guard input.health(of: backup).state == .up else {
            let state = input.health(of: backup).state.rawValue
            return .denied(DecisionReason(.targetNotUp, "\(backup): health \(state)"))
        }
        if let denied = input.denialReason(of: backup) {
            return .denied(denied)
        }
        if let pending = input.notObservedYetReason(of: backup) {
            return .denied(pending)
        }
        return lagGuard.evaluate(input.duplications[backup], link: "\(input.primary) → \(backup)", now: input.now)
    }
}

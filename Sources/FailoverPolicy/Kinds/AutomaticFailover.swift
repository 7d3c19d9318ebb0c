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
    /// `min_down`, the cooldown has passed, the decider does not suspect itself, a quorum of live
    /// observers sees the primary down and its replica lease has expired; refuse when no backup is
    /// eligible.
    func decideOnPrimary(_ input: DecisionInput) -> Decision {
        let primary = input.primary
        if let notYet = notDownLongEnough(primary, role: "primary", input) {
            return .keep(notYet)
        }
        if let cooling = cooldown(input) {
            return .keep(cooling)
        }
        if let suspect = observerSuspect(input) {
            return .refuse(suspect)
        }
        if let noQuorum = noQuorum(primary, role: "primary", seeing: .down, input) {
            return .refuse(noQuorum)
        }
        if let lease = leaseNotExpired(primary, role: "primary", input) {
            return .keep(lease)
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

    /// ``DecisionReason/Code/observerSuspect`` when the decider's own prober sees more than half of
    /// all probed clusters down at once, else `nil`.
    func observerSuspect(_ input: DecisionInput) -> DecisionReason? {
        guard input.probedClusters > 0, input.downClusters * 2 > input.probedClusters else {
            return nil
        }
        let text =
            "this decider sees \(input.downClusters) of \(input.probedClusters) probed clusters down at once; "
            + "suspecting its own network, no automatic switch"
        return DecisionReason(.observerSuspect, text)
    }

    /// ``DecisionReason/Code/noQuorum`` when fewer than `switch.quorum` live observers see `cluster`
    /// in `state` (``ClusterHealth/State/down`` or ``ClusterHealth/State/up``), else `nil`.
    func noQuorum(_ cluster: String, role: String, seeing state: ClusterHealth.State, _ input: DecisionInput)
        -> DecisionReason?
    {
        let view = input.observers(of: cluster)
        let required = switching.quorum.required(live: view.live)
        let agreeing = state == .down ? view.down : view.up
        guard agreeing < required else {
            return nil
        }
        let text =
            "\(agreeing) of \(view.live) live observers see \(role) \(cluster) \(state.rawValue) "
            + "(\(view.up) up, \(view.down) down, \(view.unknown) unknown), "
            + "quorum \(required) (\(switching.quorum))"
        return DecisionReason(.noQuorum, text)
    }

    /// ``DecisionReason/Code/leaseNotExpired`` while `cluster` was seen alive (by any observer; else
    /// since it went down) less than `switch.replica_lease` ago, else `nil`.
    func leaseNotExpired(_ cluster: String, role: String, _ input: DecisionInput) -> DecisionReason? {
        let anchor = input.observers(of: cluster).lastAliveAt ?? input.health(of: cluster).since
        let seen = input.now.elapsed(since: anchor)
        guard seen < switching.replicaLease else {
            return nil
        }
        let text =
            "\(role) \(cluster) last seen alive \(PolicyDuration.format(seen)) ago; its replicas may take writes "
            + "until replica_lease \(PolicyDuration.format(switching.replicaLease)) has passed: "
            + "\(PolicyDuration.format(switching.replicaLease - seen)) left"
        return DecisionReason(.leaseNotExpired, text)
    }

    /// A backup is eligible when it is up, a quorum of observers sees it up, its table does not deny
    /// client requests, and its duplication from the primary is observed and passes the guard.
    private func eligibility(of backup: String, _ input: DecisionInput) -> GuardSettings.Verdict {
        guard input.health(of: backup).state == .up else {
            let state = input.health(of: backup).state.rawValue
            return .denied(DecisionReason(.targetNotUp, "\(backup): health \(state)"))
        }
        if let noQuorum = noQuorum(backup, role: "backup", seeing: .up, input) {
            return .denied(noQuorum)
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

/// Operator switches (`failover to <cluster>`, `failover back`) as pure checks, shared by the
/// CLI and the decider so both judge the same way.
public enum ManualSwitch {
    /// Why an operator switch is refused.
    public struct Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        /// The check that failed.
        public var reason: DecisionReason

        /// Creates a refusal.
        public init(reason: DecisionReason) {
            self.reason = reason
        }

        /// The reason's text.
        public var description: String { reason.description }
    }

    /// Checks an operator's request to route the table to `cluster`.
    ///
    /// Always refused: a cluster that is neither the primary nor a declared backup
    /// (``DecisionReason/Code/unknownCluster``), or the cluster already active
    /// (``DecisionReason/Code/alreadyActive``). Refused unless `force`:
    /// * to any cluster: its table denies client requests (``DecisionInput/deniedTargets``,
    ///   ``DecisionReason/Code/targetDeniesRequests``);
    /// * to a backup: the backup is not up, or its duplication from the primary is not observed yet
    ///   (``DecisionReason/Code/duplicationNotObserved``) or fails the `guard:`,
    ///   or the table is on another backup (``DecisionReason/Code/betweenBackups``: its writes are
    ///   not duplicated to the target);
    /// * back to the primary: the primary is not up, or the reverse duplication (backup → primary)
    ///   fails the `guard:`, or none is known while `failback.require_reverse_duplication` is true.
    ///
    /// Pause, `min_down` and `cooldown` do not apply to operators.
    /// - Parameters:
    ///   - cluster: The target cluster name.
    ///   - input: The table's current input, as for an automatic decision.
    ///   - spec: The table's policy spec (its `guard:` and `failback:` settings).
    ///   - force: Override the refusals that are not "always refused".
    /// - Returns: ``Decision/switchTo(cluster:reason:)`` or ``Decision/switchBack(_:)`` with code
    ///   ``DecisionReason/Code/operatorRequest``, or ``DecisionReason/Code/operatorForced`` when
    ///   `force` overrode a failed check (named in the text); or the refusal.
    public static func validate(
        to cluster: String,
        input: DecisionInput,
        spec: PolicySpec,
        force: Bool
    ) -> Result<Decision, Refusal> {
        guard cluster == input.primary || input.backups.contains(cluster) else {
            let known = ([input.primary] + input.backups).joined(separator: ", ")
            let text = "\(cluster) is neither the primary nor a backup of table \(input.table) (clusters: \(known))"
            return .failure(Refusal(reason: DecisionReason(.unknownCluster, text)))
        }
        guard cluster != input.effectiveCluster else {
            let text = "table \(input.table) is already on \(cluster)"
            return .failure(Refusal(reason: DecisionReason(.alreadyActive, text)))
        }
        let check = cluster == input.primary ? checkBack(input, spec) : check(to: cluster, input, spec)
        let request = "operator request: \(input.effectiveCluster) → \(cluster)"
        let reason: DecisionReason
        switch check {
        case .success(let detail):
            reason = DecisionReason(.operatorRequest, "\(request); \(detail)")
        case .failure(let refusal) where force:
            reason = DecisionReason(.operatorForced, "\(request), forced over: \(refusal.reason.text)")
        case .failure(let refusal):
            return .failure(refusal)
        }
        return .success(cluster == input.primary ? .switchBack(reason) : .switchTo(cluster: cluster, reason: reason))
    }

    /// Success carries a detail for the reason text.
    private static func check(
        to backup: String,
        _ input: DecisionInput,
        _ spec: PolicySpec
    ) -> Result<String, Refusal> {
        if case .onBackup(let current, _, _, _) = input.current.placement {
            let text = "table is on backup \(current); writes it took are not duplicated to \(backup)"
            return .failure(Refusal(reason: DecisionReason(.betweenBackups, text)))
        }
        if let notUp = notUp(backup, input) {
            return .failure(notUp)
        }
        if let denied = input.denialReason(of: backup) {
            return .failure(Refusal(reason: denied))
        }
        if let pending = input.notObservedYetReason(of: backup) {
            return .failure(Refusal(reason: pending))
        }
        let link = "\(input.primary) → \(backup)"
        return judge(spec.lagGuard.evaluate(input.duplications[backup], link: link, now: input.now), link: link)
    }

    private static func checkBack(_ input: DecisionInput, _ spec: PolicySpec) -> Result<String, Refusal> {
        let backup = input.effectiveCluster
        if let notUp = notUp(input.primary, input) {
            return .failure(notUp)
        }
        if let denied = input.denialReason(of: input.primary) {
            return .failure(Refusal(reason: denied))
        }
        let link = "\(backup) → \(input.primary)"
        guard let reverse = input.reverseDuplications[backup] else {
            guard spec.failback.requireReverseDuplication else {
                return .success("no reverse duplication known, require_reverse_duplication is false")
            }
            let text = "\(link): no reverse duplication known; writes \(backup) took would be dropped"
            return .failure(Refusal(reason: DecisionReason(.reverseDuplicationUnknown, text)))
        }
        return judge(spec.lagGuard.evaluate(reverse, link: link, now: input.now), link: link)
    }

    private static func judge(_ verdict: GuardSettings.Verdict, link: String) -> Result<String, Refusal> {
        switch verdict {
        case .allowed(let lag, let age):
            .success("\(link) lag \(lag) decrees observed \(PolicyDuration.format(age)) ago")
        case .denied(let reason):
            .failure(Refusal(reason: reason))
        }
    }

    private static func notUp(_ cluster: String, _ input: DecisionInput) -> Refusal? {
        let state = input.health(of: cluster).state
        guard state != .up else {
            return nil
        }
        return Refusal(reason: DecisionReason(.targetNotUp, "\(cluster): health \(state.rawValue)"))
    }
}

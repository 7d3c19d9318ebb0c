/// The table env `replica.deny_client_request` as replicas honour it (src/replica/replica_config.cpp
/// `update_deny_client`, src/replica/replica.cpp `on_client_read`, src/replica/replica_2pc.cpp
/// `on_client_write`): `timeout|reconfig` `*` `all|write|read`.
struct SimClientDenial: Hashable, Sendable {
    /// What a replica does with a denied request.
    enum Action: Hashable, Sendable {
        /// `timeout`: no reply at all, the client times out.
        case drop
        /// `reconfig`: `ERR_INVALID_STATE`, which makes clients re-query the configuration at once.
        case reject
    }

    /// The env key.
    static let key = "replica.deny_client_request"

    /// What denied requests get.
    var action: Action
    /// Whether reads are denied.
    var reads: Bool
    /// Whether writes are denied.
    var writes: Bool

    /// Parses an env value; `nil` for anything but the six valid values (src/meta/app_env_validator.cpp
    /// `check_deny_client` rejects them, so replicas never see them).
    init?(value: String) {
        let parts = value.split(separator: "*", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return nil
        }
        switch parts[0] {
        case "timeout": action = .drop
        case "reconfig": action = .reject
        default: return nil
        }
        switch parts[1] {
        case "all": (reads, writes) = (true, true)
        case "write": (reads, writes) = (false, true)
        case "read": (reads, writes) = (true, false)
        default: return nil
        }
    }

    /// The action for a request, or `nil` when it is served.
    func action(forWrite write: Bool) -> Action? {
        (write ? writes : reads) ? action : nil
    }
}

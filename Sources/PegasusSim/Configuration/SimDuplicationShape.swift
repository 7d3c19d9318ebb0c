/// Which `duplication_entry` fields the simulated MetaServers write in duplication query replies
/// (docs/pegasus-reference.md §12.2, §12.5).
public enum SimDuplicationShape: String, Hashable, Sendable, CaseIterable {
    /// Current master: fields 1-4, 7 `fail_mode`, 8 `remote_app_name`, 9 `remote_replica_count`,
    /// 11 `partition_states`.
    case master
    /// v2.4.0/v2.5.0: fields 1-4 and 7 only, no per-partition progress.
    case v25
}

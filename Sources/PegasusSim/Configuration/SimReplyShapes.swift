/// Which `partition_configuration` fields the simulated MetaServers write in query-config replies
/// (pegasus-rpc.md §4.3).
public enum SimReplyShape: String, Hashable, Sendable, CaseIterable {
    /// Fields 1-7 only: what pypegasus3's generated classes produce.
    case plain
    /// Fields 1-8 (`partition_flags` = 0): a v2.5.0 MetaServer. pypegasus3 decodes it.
    case v25
    /// Fields 1-8 plus `hp_primary`, `hp_secondaries`, `hp_last_drops`: current master.
    /// pypegasus3 can NOT decode it.
    case master
}

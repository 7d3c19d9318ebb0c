/// What a decider write depends on: the decider's own election node (ephemeral, under
/// ``FailoverPaths/election``). ``ZooKeeperFailoverStateStore`` writes fenced documents with one ZooKeeper
/// multi-op that checks the node exists and compare-and-sets the document, so a decider that was paused
/// past its session timeout (its node deleted with its session, another instance elected) cannot write
/// what it decided before the pause: the write fails with ``FailoverStateError/Code/fenced``.
///
/// Operator writes (`failover switch`, `failover back`) are not fenced: they are plain compare-and-set.
public struct DeciderFence: Sendable, Hashable, CustomStringConvertible {
    /// The full path of the decider's election node, e.g. `<root>/.meta-proxy/decider/n_0000000003`.
    public var electionNode: String

    /// Creates a fence on `electionNode`.
    public init(electionNode: String) {
        self.electionNode = electionNode
    }

    /// The node's path.
    public var description: String { electionNode }
}

/// Runtime state of one partition: which replicas serve it and how far it has committed.
struct SimPartitionState: Sendable {
    /// Configuration ballot; bumped by every change of primary.
    var ballot: Int64
    /// The replica index the partition was assigned as primary.
    var assignedPrimary: Int
    /// The current primary's replica index; `nil` = no primary.
    var primary: Int?
    /// Secondary replica indices.
    var secondaries: [Int]
    /// Last committed decree; bumped by every write.
    var lastCommittedDecree: Int64

    /// The standard layout: primary `pidx mod n`, secondaries the next (up to two) replicas.
    init(partitionIndex: Int, replicaCount: Int) {
        let primary = partitionIndex % replicaCount
        self.ballot = 1
        self.assignedPrimary = primary
        self.primary = primary
        self.secondaries = (1..<min(3, replicaCount)).map { (primary + $0) % replicaCount }
        self.lastCommittedDecree = 0
    }
}

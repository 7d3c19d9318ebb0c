import PegasusWire

/// Query-config replies as built from one generation of the cluster state, so a MetaServer answers
/// a repeated query by changing only the seqid of a reply it already encoded (a real MetaServer
/// answers from memory too). Any change of the state starts a new generation and empties the cache.
struct SimReplyCache: Sendable {
    /// What a reply depends on besides the state.
    enum Key: Hashable, Sendable {
        /// The leader's answer for the table at this index and these partitions (after filtering,
        /// in request order).
        case leader(table: Int, partitions: [Int])
        /// A follower's forward answer (the same on every follower).
        case follower
    }

    /// Entries kept at most; past that the cache starts over (clients choose the partition lists).
    static let capacity = 1024

    private var generation: UInt64 = 0
    private var replies: [Key: ResponseFrame] = [:]

    /// Creates an empty cache.
    init() {}

    /// The reply kept for `key` in state `generation`, under `seqid`; `nil` when there is none.
    mutating func reply(for key: Key, generation: UInt64, seqid: Int32) -> ResponseFrame? {
        startGeneration(generation)
        guard var reply = replies[key] else {
            return nil
        }
        reply.message.seqid = seqid
        return reply
    }

    /// Keeps `reply` (under any seqid) for `key` in state `generation`.
    mutating func store(_ reply: ResponseFrame, for key: Key, generation: UInt64) {
        startGeneration(generation)
        if replies.count >= Self.capacity {
            replies.removeAll(keepingCapacity: true)
        }
        replies[key] = reply
    }

    private mutating func startGeneration(_ generation: UInt64) {
        guard generation != self.generation else {
            return
        }
        replies.removeAll(keepingCapacity: true)
        self.generation = generation
    }
}

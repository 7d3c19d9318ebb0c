/// The queries waiting for a reply on one MetaServer connection, by the proxy's seqid: a
/// direct-mapped table with a dictionary for the rare collisions, instead of a `Dictionary` alone.
///
/// Seqids come from the event loop's ``SeqidSource`` one after another, so their low bits spread
/// the queries in flight over the slots by themselves: a request and its reply cost a mask and one
/// comparison each, no hashing. Two seqids in flight with the same low bits (a reply outstanding
/// while a whole table's worth of later requests went out) put the later one in `overflow`; when
/// that holds more than a few, the table doubles (up to ``maxCapacity``) and they move back in.
///
/// Loop-bound, like its connection.
struct PendingReplies {
    private struct Slot {
        var seqid: Int32 = 0
        var query: UpstreamQuery?
    }

    /// The most slots a table grows to; beyond it, colliding seqids stay in `overflow`.
    static let maxCapacity = 1 << 16

    private var slots: [Slot]
    private var mask: Int
    private var overflow: [Int32: UpstreamQuery] = [:]
    /// The number of queries waiting.
    private(set) var count = 0

    /// An empty table of `initialCapacity` slots (rounded up to a power of two, at least 8).
    init(initialCapacity: Int = 64) {
        var capacity = 8
        while capacity < min(initialCapacity, Self.maxCapacity) { capacity <<= 1 }
        slots = Array(repeating: Slot(), count: capacity)
        mask = capacity - 1
    }

    @inline(__always)
    private func home(_ seqid: Int32) -> Int { Int(truncatingIfNeeded: UInt32(bitPattern: seqid)) & mask }

    /// Keeps `query` as the one waiting for `seqid`'s reply (replacing any other for that seqid).
    mutating func insert(_ query: UpstreamQuery, for seqid: Int32) {
        let index = home(seqid)
        if slots[index].query == nil {
            if !overflow.isEmpty, overflow.removeValue(forKey: seqid) != nil { count -= 1 }
            slots[index] = Slot(seqid: seqid, query: query)
            count += 1
            return
        }
        if slots[index].seqid == seqid {
            slots[index].query = query
            return
        }
        if overflow.updateValue(query, forKey: seqid) == nil { count += 1 }
        if overflow.count > 16, slots.count < Self.maxCapacity { grow() }
    }

    /// Takes the query waiting for `seqid`'s reply out of the table; `nil` when none is (it gave up).
    mutating func remove(_ seqid: Int32) -> UpstreamQuery? {
        let index = home(seqid)
        if slots[index].seqid == seqid, let query = slots[index].query {
            slots[index].query = nil
            count -= 1
            return query
        }
        guard !overflow.isEmpty, let query = overflow.removeValue(forKey: seqid) else { return nil }
        count -= 1
        return query
    }

    /// Takes every waiting query out, with its seqid.
    mutating func removeAll() -> [(seqid: Int32, query: UpstreamQuery)] {
        guard count > 0 else { return [] }
        var all: [(seqid: Int32, query: UpstreamQuery)] = []
        all.reserveCapacity(count)
        for index in slots.indices {
            if let query = slots[index].query { all.append((slots[index].seqid, query)) }
            slots[index] = Slot()
        }
        for (seqid, query) in overflow { all.append((seqid, query)) }
        overflow.removeAll()
        count = 0
        return all
    }

    /// Doubles the slots and places every query again.
    private mutating func grow() {
        let old = slots
        let moved = overflow
        slots = Array(repeating: Slot(), count: old.count * 2)
        mask = slots.count - 1
        overflow.removeAll()
        count = 0
        for slot in old {
            if let query = slot.query { insert(query, for: slot.seqid) }
        }
        for (seqid, query) in moved { insert(query, for: seqid) }
    }
}

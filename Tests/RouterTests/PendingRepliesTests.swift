import NIOCore
import PegasusWire
import Testing

@testable import Router

/// ``PendingReplies`` against a `Dictionary` doing the same operations: every lookup answers the
/// same query object, through growth, wrap-around, colliding seqids and removals in any order.
@Suite struct PendingRepliesTests {
    static func query() -> UpstreamQuery {
        UpstreamQuery(name: RpcName.queryConfig, args: ByteBuffer(), deadline: .distantFuture, followsForwards: false)
    }

    /// A small deterministic generator (the test must replay the same operations each run).
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("random inserts and removes agree with a dictionary", arguments: [1, 2, 3, 4])
    func agreesWithDictionary(seed: UInt64) {
        var table = PendingReplies(initialCapacity: 8)
        var model: [Int32: UpstreamQuery] = [:]
        var random = SplitMix(state: seed)
        var nextSeqid: Int32 = Int32.max - 500  // wraps past Int32.max into negative seqids
        for _ in 0..<20_000 {
            let roll = random.next() % 10
            if roll < 5 || model.isEmpty {
                // Mostly sequential seqids, as the loop's SeqidSource hands them out; some collide
                // on purpose (same low bits, far apart).
                let seqid = random.next() % 7 == 0 ? nextSeqid &+ Int32(truncatingIfNeeded: 1 << 12) : nextSeqid
                nextSeqid &+= 1
                let query = Self.query()
                table.insert(query, for: seqid)
                model[seqid] = query
            } else if roll < 9 {
                let keys = Array(model.keys)
                let seqid = keys[Int(random.next() % UInt64(keys.count))]
                #expect(table.remove(seqid) === model.removeValue(forKey: seqid))
            } else {
                // A seqid nobody waits for (a late reply after a timeout).
                let seqid = Int32(truncatingIfNeeded: Int64(random.next() % 1_000_000) - 500_000)
                #expect(table.remove(seqid) === model.removeValue(forKey: seqid))
            }
            #expect(table.count == model.count)
        }
        for (seqid, query) in model { #expect(table.remove(seqid) === query) }
        #expect(table.count == 0)
    }

    @Test("removeAll hands back every waiting query once and empties the table")
    func removeAllReturnsEverything() {
        var table = PendingReplies(initialCapacity: 8)
        var model: [Int32: UpstreamQuery] = [:]
        for seqid in Int32(1)...100 {
            let query = Self.query()
            table.insert(query, for: seqid * 64)  // all share their low bits: collisions, overflow, growth
            model[seqid * 64] = query
        }
        let all = table.removeAll()
        #expect(all.count == 100)
        for (seqid, query) in all { #expect(model.removeValue(forKey: seqid) === query) }
        #expect(model.isEmpty)
        #expect(table.count == 0)
        #expect(table.remove(64) == nil)
    }

    @Test("a seqid inserted twice keeps the newer query")
    func reinsertReplaces() {
        var table = PendingReplies()
        let first = Self.query()
        let second = Self.query()
        table.insert(first, for: 7)
        table.insert(second, for: 7)
        #expect(table.count == 1)
        #expect(table.remove(7) === second)
        #expect(table.remove(7) == nil)
    }
}

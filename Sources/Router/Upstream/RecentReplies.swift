import NIOCore
import PegasusWire
import RouteModel

/// The successful upstream replies of one event loop that identical queries arriving shortly
/// after may reuse (`meta.coalesce_window`): a herd of first queries spread over a few ms then
/// costs one upstream call per loop, not one per query that came after its loop's reply.
///
/// Every entry lives for the same `window` from when its reply was recorded, so recording order is
/// expiry order: expired entries are dropped from the front of that order whenever a reply is
/// recorded, and an expired entry found by a lookup is dropped there. At most `capacity` entries
/// are kept; beyond it the oldest goes first. A recorded body is copied, so an entry never holds
/// the (larger) read buffer it arrived in.
///
/// A value type with no clock of its own: callers pass the time, and a lookup reads it only when
/// the key has an entry.
struct RecentReplies<Key: Hashable> {
    private struct Entry {
        var reply: ResponseFrame
        var expires: NIODeadline
    }

    /// How long a reply may be reused after it arrived.
    let window: TimeAmount
    /// The most entries kept at once.
    let capacity: Int
    private var entries: [Key: Entry] = [:]
    /// Keys in recording order (= expiry order) from `head` on. A record whose key was recorded
    /// again later no longer matches its entry's expiry and is skipped when dropped.
    private var order: [(key: Key, expires: NIODeadline)] = []
    private var head = 0

    /// Creates an empty set of replies kept for `window`, at most `capacity` (at least 1) at once.
    init(window: TimeAmount, capacity: Int = 1024) {
        self.window = window
        self.capacity = max(1, capacity)
    }

    /// The number of entries (some may have expired and not been dropped yet).
    var count: Int { entries.count }

    /// The reply recorded for `key` less than `window` before `now`, if any. `now` is evaluated
    /// only when `key` has an entry.
    mutating func reply(for key: Key, now: @autoclosure () -> NIODeadline) -> ResponseFrame? {
        guard let entry = entries[key] else { return nil }
        guard now() < entry.expires else {
            entries.removeValue(forKey: key)
            return nil
        }
        return entry.reply
    }

    /// Records `reply` for `key` as received at `now`, replacing an earlier one; drops the expired
    /// entries, and the oldest ones while `capacity` entries are kept.
    mutating func record(_ reply: ResponseFrame, for key: Key, now: NIODeadline) {
        while head < order.count, order[head].expires <= now { dropOldest() }
        while entries.count >= capacity, entries[key] == nil, head < order.count { dropOldest() }
        var kept = reply
        kept.body = ByteBuffer(buffer: reply.body)
        let expires = now + window
        entries[key] = Entry(reply: kept, expires: expires)
        order.append((key, expires))
        compactOrder()
    }

    private mutating func dropOldest() {
        let record = order[head]
        head += 1
        if entries[record.key]?.expires == record.expires { entries.removeValue(forKey: record.key) }
    }

    /// Forgets the dropped records once they are at least half of `order`.
    private mutating func compactOrder() {
        guard head >= 32, head * 2 >= order.count else { return }
        order.removeFirst(head)
        head = 0
    }
}

import PegasusWire
import RouteModel

/// A bounded key-value cache that evicts the least recently used entry, with O(1) lookup, insertion and removal.
///
/// Reading with ``value(forKey:)`` or writing with ``setValue(_:forKey:)`` makes an entry the most recently
/// used; ``peekValue(forKey:)`` does not. Not thread-safe: wrap it in a lock to share it.
public struct LRUCache<Key: Hashable, Value> {
    fileprivate struct Entry {
        var key: Key
        var value: Value
        /// Slot of the next more recently used entry, or `none`.
        var newer: Int
        /// Slot of the next less recently used entry, or `none`.
        var older: Int
    }

    private static var none: Int { -1 }

    /// Entries by slot; slots are reused after an eviction or removal.
    private var slots: [Entry?] = []
    private var freeSlots: [Int] = []
    private var slotByKey: [Key: Int] = [:]
    /// The most recently used slot, or `none`.
    private var newest = Self.none
    /// The least recently used slot, or `none`.
    private var oldest = Self.none

    /// The maximum number of entries (at least 1).
    public let capacity: Int

    /// Creates an empty cache.
    /// - Parameter capacity: The maximum number of entries; values below 1 mean 1.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The number of entries.
    public var count: Int { slotByKey.count }

    /// Whether the cache has no entries.
    public var isEmpty: Bool { slotByKey.isEmpty }

    /// Whether `key` has an entry; does not change the recency order.
    public func contains(_ key: Key) -> Bool {
        slotByKey[key] != nil
    }

    /// The value for `key`, making the entry the most recently used.
    public mutating func value(forKey key: Key) -> Value? {
        guard let slot = slotByKey[key] else { return nil }
        moveToNewest(slot)
        return slots[slot]?.value
    }

    /// The value for `key`, without changing the recency order.
    public func peekValue(forKey key: Key) -> Value? {
        slotByKey[key].flatMap { slots[$0]?.value }
    }

    /// Stores `value` for `key` as the most recently used entry.
    /// - Returns: The least recently used entry if it had to be evicted to make room; `nil` otherwise
    ///   (also when `key` was already present: its value is replaced).
    @discardableResult
    public mutating func setValue(_ value: Value, forKey key: Key) -> (key: Key, value: Value)? {
        if let slot = slotByKey[key] {
            slots[slot]?.value = value
            moveToNewest(slot)
            return nil
        }
        var evicted: (key: Key, value: Value)?
        if slotByKey.count >= capacity, let old = removeSlot(oldest) {
            evicted = (old.key, old.value)
        }
        let entry = Entry(key: key, value: value, newer: Self.none, older: Self.none)
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = entry
        } else {
            slot = slots.count
            slots.append(entry)
        }
        slotByKey[key] = slot
        linkAsNewest(slot)
        return evicted
    }

    /// Removes the entry for `key`.
    /// - Returns: The removed value, or `nil` if there was none.
    @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? {
        guard let slot = slotByKey[key] else { return nil }
        return removeSlot(slot)?.value
    }

    /// Removes every entry.
    public mutating func removeAll() {
        slots = []
        freeSlots = []
        slotByKey = [:]
        newest = Self.none
        oldest = Self.none
    }

    /// The keys from the most to the least recently used.
    public var keys: [Key] {
        var result: [Key] = []
        result.reserveCapacity(count)
        var slot = newest
        while slot != Self.none, let entry = slots[slot] {
            result.append(entry.key)
            slot = entry.older
        }
        return result
    }

    private mutating func removeSlot(_ slot: Int) -> Entry? {
        guard slot != Self.none, let entry = slots[slot] else { return nil }
        unlink(slot)
        slots[slot] = nil
        freeSlots.append(slot)
        slotByKey.removeValue(forKey: entry.key)
        return entry
    }

    private mutating func moveToNewest(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        linkAsNewest(slot)
    }

    private mutating func unlink(_ slot: Int) {
        guard let entry = slots[slot] else { return }
        if entry.newer != Self.none {
            slots[entry.newer]?.older = entry.older
        } else {
            newest = entry.older
        }
        if entry.older != Self.none {
            slots[entry.older]?.newer = entry.newer
        } else {
            oldest = entry.newer
        }
        slots[slot]?.newer = Self.none
        slots[slot]?.older = Self.none
    }

    private mutating func linkAsNewest(_ slot: Int) {
        slots[slot]?.older = newest
        slots[slot]?.newer = Self.none
        if newest != Self.none {
            slots[newest]?.newer = slot
        }
        newest = slot
        if oldest == Self.none {
            oldest = slot
        }
    }
}

extension LRUCache: Sendable where Key: Sendable, Value: Sendable {}

extension LRUCache.Entry: Sendable where Key: Sendable, Value: Sendable {}

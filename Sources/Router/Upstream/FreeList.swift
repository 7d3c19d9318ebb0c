/// A bounded stack of objects kept for reuse, so the data path does not allocate (and free) one
/// object per request: ``take()`` hands out the most recently returned object, ``give(_:)`` keeps
/// one until `capacity` are kept and drops the rest.
///
/// The list never decides when an object is free: the caller gives back only objects nothing
/// will use any more, or whose late users check a seqid or generation (``UpstreamQuery``).
///
/// Loop-bound: one per event loop, used only on that loop.
final class FreeList<Element: AnyObject> {
    /// The most objects kept at once.
    let capacity: Int
    private var kept: [Element] = []

    /// An empty list that keeps at most `capacity` objects (at least 0).
    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// The number of objects kept now.
    var count: Int { kept.count }

    /// An object given back earlier, most recent first, or `nil` when none is kept.
    func take() -> Element? {
        kept.popLast()
    }

    /// Keeps `object` for a later ``take()``, unless `capacity` objects are kept already.
    /// - Returns: whether it was kept.
    @discardableResult
    func give(_ object: Element) -> Bool {
        guard kept.count < capacity else { return false }
        if kept.capacity == 0 { kept.reserveCapacity(min(capacity, 64)) }
        kept.append(object)
        return true
    }
}

@available(*, unavailable)
extension FreeList: Sendable {}

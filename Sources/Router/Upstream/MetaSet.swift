import PegasusWire
import RouteModel

/// A set of MetaServers of one cluster, for one query's run: those of the cluster's list by
/// position, as bits of one word; any other (a leader hint outside the list, or a position past
/// 63) in a small array. Membership costs no hashing of host names and no allocation in the
/// common case.
struct MetaSet {
    private var bits: UInt64 = 0
    private var others: [Endpoint] = []

    /// An empty set.
    init() {}

    /// Whether `meta`, at `index` in the cluster's list (`nil`: not in it), is in the set.
    func contains(_ meta: Endpoint, at index: Int?) -> Bool {
        if let index, index < UInt64.bitWidth { return bits & (1 << UInt64(index)) != 0 }
        return others.contains(meta)
    }

    /// Adds `meta`, at `index` in the cluster's list (`nil`: not in it).
    mutating func insert(_ meta: Endpoint, at index: Int?) {
        if let index, index < UInt64.bitWidth {
            bits |= 1 << UInt64(index)
        } else if !others.contains(meta) {
            others.append(meta)
        }
    }
}

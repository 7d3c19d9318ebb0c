import PegasusWire
import RouteModel

/// The decisions of one upstream query against one cluster: which MetaServer to ask next,
/// when to follow a leader hint, when to give up. A pure value, driven by ``MetaClusterClient``.
///
/// Rules: start at the believed leader (if it is one of `metas`); a reply naming another leader
/// (`ERR_FORWARD_TO_OTHERS` with `partitions[0].primary`) among `metas` is followed, at most
/// `maxForwardHops` times; a forward without a leader or to one outside `metas` (never followed:
/// a MetaServer must not steer the proxy to an arbitrary address), a failed connection or a
/// timeout moves on to the next MetaServer not yet tried; when every MetaServer has been tried
/// the query fails.
///
/// Made once per query: the MetaServers tried and failed are ``MetaSet``s (bits by position in
/// `metas`), so the common run (start, one reply) allocates and hashes nothing.
struct QueryAttempt {
    /// What the client should do next.
    enum Action: Equatable {
        /// Send the query to this MetaServer.
        case send(Endpoint)
        /// Give up with this error.
        case fail(UpstreamError)
    }

    private let cluster: String
    private let metas: [Endpoint]
    private let maxForwardHops: Int
    private var tried = MetaSet()
    private var hops = 0
    private var nextIndex: Int
    private var lastFailure: UpstreamError?
    private var failedMetas = MetaSet()

    /// - Parameters:
    ///   - cluster: the cluster name, for errors.
    ///   - metas: the cluster's MetaServers, in configured order.
    ///   - leader: the MetaServer believed to lead, if any (ignored when not in `metas`).
    ///   - maxForwardHops: how many leader hints to follow.
    init(cluster: String, metas: [Endpoint], leader: Endpoint?, maxForwardHops: Int) {
        self.cluster = cluster
        self.metas = metas
        self.maxForwardHops = maxForwardHops
        let leaderIndex = leader.flatMap { metas.firstIndex(of: $0) }
        self.nextIndex = leaderIndex ?? 0
    }

    /// The first MetaServer to ask.
    mutating func start() -> Action {
        nextUntried()
    }

    /// `meta` answered that it is not the leader; `leader` is its hint, if it gave one.
    mutating func forwarded(from meta: Endpoint, leader: Endpoint?) -> Action {
        let leaderIndex = leader.flatMap { metas.firstIndex(of: $0) }
        let refusal: String? =
            switch leader {
            case nil: "forwarded without a leader address"
            case meta: "forwarded to itself"
            case .some(let leader) where leaderIndex == nil:
                "forwarded to \(leader), which is not one of the cluster's MetaServers"
            case .some(let leader) where failedMetas.contains(leader, at: leaderIndex):
                "forwarded to \(leader), which already failed"
            case .some where hops >= maxForwardHops: "forward hop limit (\(maxForwardHops)) reached"
            case .some: nil
            }
        guard let leader, refusal == nil else {
            lastFailure = UpstreamError(.noLeader, cluster: cluster, meta: meta.description, detail: refusal ?? "")
            return nextUntried()
        }
        hops += 1
        tried.insert(leader, at: leaderIndex)
        return .send(leader)
    }

    /// Asking `meta` failed (connection, timeout, unreadable reply).
    mutating func failed(_ meta: Endpoint, error: UpstreamError) -> Action {
        lastFailure = error
        failedMetas.insert(meta, at: metas.firstIndex(of: meta))
        return nextUntried()
    }

    private mutating func nextUntried() -> Action {
        for _ in 0..<metas.count {
            let position = nextIndex % metas.count
            let candidate = metas[position]
            nextIndex += 1
            // A MetaServer listed twice counts once: by its first position.
            let index = metas[..<position].firstIndex(of: candidate) ?? position
            if !tried.contains(candidate, at: index) {
                tried.insert(candidate, at: index)
                return .send(candidate)
            }
        }
        var error = UpstreamError(.allMetasFailed, cluster: cluster, detail: lastFailure.map { "\($0)" } ?? "no MetaServer configured")
        if let lastFailure, lastFailure.code == .noLeader { error.code = .noLeader }
        return .fail(error)
    }
}

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

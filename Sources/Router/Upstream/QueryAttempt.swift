/// The decisions of one upstream query against one cluster: which MetaServer to ask next,
/// when to follow a leader hint, when to give up. A pure value, driven by ``MetaClusterClient``.
///
/// Rules: start at the believed leader; a reply naming another leader (`ERR_FORWARD_TO_OTHERS`
/// with `partitions[0].primary`) is followed, at most `maxForwardHops` times; a forward without a
/// leader, a failed connection or a timeout moves on to the next MetaServer not yet tried; when
/// every MetaServer has been tried the query fails.
struct QueryAttempt {
    /// What the client should do next.
    enum Action: Equatable {
        /// Send the query to this MetaServer.
        case send(MetaAddress)
        /// Give up with this error.
        case fail(UpstreamError)
    }

    private let cluster: String
    private let metas: [MetaAddress]
    private let maxForwardHops: Int
    private var tried: Set<MetaAddress> = []
    private var hops = 0
    private var nextIndex: Int
    private var lastFailure: UpstreamError?
    private var failedMetas: Set<MetaAddress> = []
    private var pendingFirst: MetaAddress?

    /// - Parameters:
    ///   - cluster: the cluster name, for errors.
    ///   - metas: the cluster's MetaServers, in configured order.
    ///   - leader: the MetaServer believed to lead, if any.
    ///   - maxForwardHops: how many leader hints to follow.
    init(cluster: String, metas: [MetaAddress], leader: MetaAddress?, maxForwardHops: Int) {
        self.cluster = cluster
        self.metas = metas
        self.maxForwardHops = maxForwardHops
        self.nextIndex = leader.flatMap { metas.firstIndex(of: $0) } ?? 0
        if let leader, !metas.contains(leader) {
            self.pendingFirst = leader
        }
    }

    /// The first MetaServer to ask.
    mutating func start() -> Action {
        if let first = pendingFirst {
            pendingFirst = nil
            tried.insert(first)
            return .send(first)
        }
        return nextUntried()
    }

    /// `meta` answered that it is not the leader; `leader` is its hint, if it gave one.
    mutating func forwarded(from meta: MetaAddress, leader: MetaAddress?) -> Action {
        let refusal: String? =
            switch leader {
            case nil: "forwarded without a leader address"
            case meta: "forwarded to itself"
            case .some(let leader) where failedMetas.contains(leader): "forwarded to \(leader), which already failed"
            case .some where hops >= maxForwardHops: "forward hop limit (\(maxForwardHops)) reached"
            case .some: nil
            }
        guard let leader, refusal == nil else {
            lastFailure = UpstreamError(.noLeader, cluster: cluster, meta: meta.description, detail: refusal ?? "")
            return nextUntried()
        }
        hops += 1
        tried.insert(leader)
        return .send(leader)
    }

    /// Asking `meta` failed (connection, timeout, unreadable reply).
    mutating func failed(_ meta: MetaAddress, error: UpstreamError) -> Action {
        lastFailure = error
        failedMetas.insert(meta)
        return nextUntried()
    }

    private mutating func nextUntried() -> Action {
        for _ in 0..<metas.count {
            let candidate = metas[nextIndex % metas.count]
            nextIndex += 1
            if !tried.contains(candidate) {
                tried.insert(candidate)
                return .send(candidate)
            }
        }
        var error = UpstreamError(.allMetasFailed, cluster: cluster, detail: lastFailure.map { "\($0)" } ?? "no MetaServer configured")
        if let lastFailure, lastFailure.code == .noLeader { error.code = .noLeader }
        return .fail(error)
    }
}

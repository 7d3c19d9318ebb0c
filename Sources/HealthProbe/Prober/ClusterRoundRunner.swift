/// Runs one probe round against a cluster: `/version` on every MetaServer at once, then leader
/// discovery through `/meta/cluster` on the MetaServers that answered, with the RPC probe (if any)
/// running alongside.
struct ClusterRoundRunner: Sendable {
    let client: CurlHTTPClient
    let rpcProbe: (any RPCHealthProbe)?

    /// Probes `metas` (the last leader endpoint first) and returns what was seen.
    func run(cluster: String, metas: [String], timeout: Duration, rpcTable: String?) async -> ClusterRound {
        let probe = MetaHTTPProbe(client: self.client, timeout: timeout)
        async let rpc = self.queryRPC(cluster: cluster, metas: metas, table: rpcTable, timeout: timeout)
        async let apps = self.rpcProbe?.listApps(cluster: cluster, metas: metas, timeout: timeout)
        let results = await Self.versions(probe, metas: metas)
        let answering = results.filter(\.succeeded).map(\.meta)
        let leader = await Self.discoverLeader(probe, candidates: answering)
        return ClusterRound(metas: results, leader: leader, rpc: await rpc, apps: await apps)
    }

    private func queryRPC(cluster: String, metas: [String], table: String?, timeout: Duration) async -> RPCProbeOutcome?
    {
        guard let rpcProbe = self.rpcProbe, let table else { return nil }
        return await rpcProbe.queryConfig(cluster: cluster, metas: metas, table: table, timeout: timeout)
    }

    /// `GET /version` on every MetaServer concurrently; results in `metas` order.
    private static func versions(_ probe: MetaHTTPProbe, metas: [String]) async -> [MetaProbeResult] {
        await withTaskGroup(of: (Int, MetaProbeResult).self) { group in
            for (index, meta) in metas.enumerated() {
                group.addTask {
                    let clock = ContinuousClock()
                    let start = clock.now
                    do throws(ProbeError) {
                        let version = try await probe.version(meta: meta)
                        return (index, MetaProbeResult(meta: meta, latency: clock.now - start, version: version))
                    } catch {
                        return (index, MetaProbeResult(meta: meta, latency: clock.now - start, error: error))
                    }
                }
            }
            var results: [MetaProbeResult?] = Array(repeating: nil, count: metas.count)
            for await (index, result) in group {
                results[index] = result
            }
            return results.compactMap { $0 }
        }
    }

    /// Asks the candidates' `/meta/cluster` in order until the leader answers 200. A 307 naming a
    /// leader not yet asked is followed once; nothing is asked twice, so this never loops.
    private static func discoverLeader(_ probe: MetaHTTPProbe, candidates: [String]) async -> LeaderObservation {
        var observation = LeaderObservation()
        var asked = Set<String>()
        for candidate in candidates where !asked.contains(candidate) {
            var next: String? = candidate
            while let meta = next, asked.insert(meta).inserted {
                next = nil
                do throws(ProbeError) {
                    switch try await probe.cluster(meta: meta) {
                    case .answered(let info):
                        return LeaderObservation(leader: info.primaryMetaServer ?? meta, answeredBy: meta)
                    case .redirected(let leader?):
                        observation.leader = leader
                        next = leader
                    case .redirected(nil):
                        observation.lastError = "\(meta) redirected to an unknown leader"
                    }
                } catch {
                    observation.lastError = error.description
                }
            }
        }
        return observation
    }
}

/// A ``DuplicationSource`` over the MetaServer HTTP API: `GET /meta/app/duplication` for the
/// duplications, then `GET /meta/app` on the same leader for the partition count.
///
/// MetaServers are tried in order; a 307 naming a leader is followed once (never in a loop).
public struct HTTPDuplicationSource: DuplicationSource {
    private let client: CurlHTTPClient

    /// Creates a source.
    /// - Parameter client: The HTTP client.
    public init(client: CurlHTTPClient) {
        self.client = client
    }

    /// Queries the leader's duplication report and partition count over HTTP.
    /// - Parameters:
    ///   - cluster: The primary cluster name.
    ///   - metas: The cluster's MetaServers, the last known leader first.
    ///   - table: The table on the primary cluster.
    ///   - timeout: The timeout of each request.
    /// - Returns: The report with `partitionCount` set (when the table has duplications), or the last failure.
    public func queryDuplications(
        cluster: String,
        metas: [String],
        table: String,
        timeout: Duration
    ) async -> DuplicationQueryOutcome {
        let probe = MetaHTTPProbe(client: self.client, timeout: timeout)
        var tried = Set<String>()
        var lastFailure = "no MetaServer configured"
        for meta in metas where !tried.contains(meta) {
            tried.insert(meta)
            var target = meta
            do {
                var reply = try await probe.duplication(meta: target, table: table)
                if case .redirected(let leader?) = reply, !tried.contains(leader) {
                    tried.insert(leader)
                    target = leader
                    reply = try await probe.duplication(meta: target, table: table)
                }
                switch reply {
                case .answered(var duplications):
                    guard !duplications.entries.isEmpty else { return .answered(duplications) }
                    duplications.partitionCount = try await Self.partitionCount(probe, meta: target, table: table)
                    guard duplications.partitionCount != nil else {
                        return .incomplete(duplications, "\(target) redirected /meta/app: partition count unknown")
                    }
                    return .answered(duplications)
                case .redirected(let leader):
                    lastFailure = "\(target) is not the leader (leader: \(leader ?? "unknown"))"
                }
            } catch {
                lastFailure = error.description
            }
        }
        return .failed(lastFailure)
    }

    /// The partition count from `/meta/app` on the leader that just answered; `nil` if it redirected meanwhile.
    private static func partitionCount(
        _ probe: MetaHTTPProbe,
        meta: String,
        table: String
    ) async throws(ProbeError) -> Int? {
        guard case .answered(let info) = try await probe.app(meta: meta, table: table) else { return nil }
        return info.partitionCount
    }
}

import PegasusWire

/// Reads a table's duplication lag from its primary ReplicaServers: asks every distinct primary
/// `GET /replica/duplication?appid=N` at once (through ``MetaHTTPProbe``, so the blocking transfers run
/// on the ``CurlHTTPClient``'s thread pool) and combines the answers into a ``ReplicaLagReport``.
public struct ReplicaLagReader: Sendable {
    private let client: CurlHTTPClient

    /// Creates a reader.
    /// - Parameter client: The HTTP client.
    public init(client: CurlHTTPClient) {
        self.client = client
    }

    /// Asks each distinct primary once and combines the answers.
    /// - Parameters:
    ///   - appId: The table's app id.
    ///   - primaries: Partition index → primary `host:port` (from query_config).
    ///   - timeout: The timeout of each request.
    /// - Returns: The per-partition lags; a replica that failed leaves its partitions unknown.
    public func read(appId: Int32, primaries: [Int32: String], timeout: Duration) async -> ReplicaLagReport {
        let probe = MetaHTTPProbe(client: self.client, timeout: timeout)
        typealias Reply = [Int32: [Gpid: ReplicaDuplicationState]]
        let replies = await withTaskGroup(of: (String, Result<Reply, ProbeError>).self) { group in
            for replica in Set(primaries.values) {
                group.addTask {
                    do throws(ProbeError) {
                        return (replica, .success(try await probe.replicaDuplication(replica: replica, appId: appId)))
                    } catch {
                        return (replica, .failure(error))
                    }
                }
            }
            var replies: [String: Result<Reply, ProbeError>] = [:]
            for await (replica, reply) in group {
                replies[replica] = reply
            }
            return replies
        }
        var answers: [String: Reply] = [:]
        var failures: [String: String] = [:]
        for (replica, reply) in replies {
            switch reply {
            case .success(let answer):
                answers[replica] = answer
            case .failure(let error):
                failures[replica] = error.description
            }
        }
        return ReplicaLagReport(appId: appId, primaries: primaries, answers: answers, failures: failures)
    }
}

import Logging
import RouteModel
import Router
import ServiceLifecycle
import Synchronization
import ZooKeeper

/// Repairs the protected-table index (``FailoverPaths/protectedIndex``) on the elected decider: route
/// nodes written by other tools (zkCli, the Go meta-proxy) that name backups get an entry, and entries
/// whose route node is gone or names no backups are removed.
///
/// A pass lists the root's children once (no watch), then reads the route nodes in small batches
/// without watches, at most ``Settings/readsPerSecond`` reads per second, so a root of 100,000 nodes
/// is read over minutes, never in a burst. Passes start at most every ``Settings/interval``; only the
/// decider scans, and a pass stops as soon as this instance stops deciding. Every change of the index is
/// one multi-op fenced by the decider's election node and conditional on the route node's version as
/// read (an added entry) — a race with an operator's write is repaired by the next pass.
///
/// A `Service`: ``run()`` runs until graceful shutdown or cancellation.
public final class ProtectedIndexScanner: Service, Sendable {
    /// Pace and period of the scan.
    public struct Settings: Sendable, Equatable {
        /// Route node reads per second at most (`failover.catalog_scan.reads_per_second`).
        public var readsPerSecond: Int
        /// The shortest time between the starts of two passes (`failover.catalog_scan.interval`).
        public var interval: Duration
        /// Nodes read concurrently in one batch.
        public var batchSize: Int
        /// How long after becoming decider the first pass starts.
        public var initialDelay: Duration

        /// Creates settings.
        public init(
            readsPerSecond: Int = 200, interval: Duration = .seconds(600), batchSize: Int = 20,
            initialDelay: Duration = .seconds(1)
        ) {
            self.readsPerSecond = max(1, readsPerSecond)
            self.interval = interval
            self.batchSize = max(1, batchSize)
            self.initialDelay = initialDelay
        }
    }

    /// What one pass found and did.
    public struct PassResult: Sendable, Equatable {
        /// Route nodes read.
        public var read = 0
        /// Entries added (protected routes that were not indexed).
        public var added: [String] = []
        /// Entries removed (no route node, or a route without backups).
        public var removed: [String] = []
        /// Whether the pass ran to its end (it stops when this instance stops deciding).
        public var complete = false
    }

    private let client: ZooKeeperClient
    private let paths: FailoverPaths
    private let election: DeciderElection
    private let settings: Settings
    private let logger: Logger
    private let passes = Atomic<Int>(0)

    /// Creates a scanner.
    /// - Parameters:
    ///   - client: The ZooKeeper client; not closed by the scanner.
    ///   - paths: The layout under the root.
    ///   - election: The decider election: only the decider scans, and its fence guards every write.
    ///   - settings: Pace and period.
    ///   - logger: Repairs at notice, problems at warning.
    public init(
        client: ZooKeeperClient, paths: FailoverPaths, election: DeciderElection,
        settings: Settings = Settings(), logger: Logger
    ) {
        self.client = client
        self.paths = paths
        self.election = election
        self.settings = settings
        var logger = logger
        logger[metadataKey: "metaproxy.component"] = "protected-index-scan"
        self.logger = logger
    }

    /// How many passes ran to their end, for tests and status.
    public var completedPasses: Int { passes.load(ordering: .relaxed) }

    /// Scans while deciding, a pass at most every ``Settings/interval``, until graceful shutdown or cancellation.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.scanWhileDeciding() }
    }

    private func scanWhileDeciding() async {
        let clock = ContinuousClock()
        var lastStart: ContinuousClock.Instant?
        var decidingSince: ContinuousClock.Instant?
        while !Task.isCancelled {
            if election.isDecider, client.sessionState == .connected {
                let since = decidingSince ?? clock.now
                decidingSince = since
                let due = max(since + settings.initialDelay, lastStart.map { $0 + settings.interval } ?? since)
                if clock.now >= due {
                    lastStart = clock.now
                    if await scan().complete {
                        passes.add(1, ordering: .relaxed)
                    }
                    continue
                }
            } else {
                decidingSince = nil
            }
            do {
                try await Task.sleep(for: .milliseconds(250))
            } catch {
                return
            }
        }
    }

    /// One pass over the root: reads every route node (paced) and repairs the index.
    public func scan() async -> PassResult {
        var result = PassResult()
        let root = paths.root
        let tables: [String]
        var indexed: Set<String>
        do throws(ZooKeeperError) {
            tables = try await client.children(root).filter {
                $0 != RouteAdmin.reservedChild && RouteAdmin.isValidTableName($0)
            }.sorted()
            indexed = try await indexEntries()
        } catch {
            logger.warning(
                "Protected-table index scan: listing failed; retrying at the next pass",
                metadata: [FailoverLoggingKeys.zkPath: "\(root)", FailoverLoggingKeys.error: "\(error)"])
            return result
        }
        let clock = ContinuousClock()
        let batchPause = Duration.seconds(1) * settings.batchSize / settings.readsPerSecond
        var seen: Set<String> = []
        var index = tables.startIndex
        while index < tables.endIndex {
            guard let fence = election.fence(), client.sessionState == .connected else { return result }
            let started = clock.now
            let batch = Array(tables[index..<min(index + settings.batchSize, tables.endIndex)])
            index += batch.count
            let reads = await read(batch)
            result.read += batch.count
            for (table, node) in reads {
                seen.insert(table)
                let isIndexed = indexed.contains(table)
                switch node {
                case .protected(let version) where !isIndexed:
                    if await change(.add(routeVersion: version), table: table, fence: fence) {
                        result.added.append(table)
                        indexed.insert(table)
                    }
                case .unprotected where isIndexed, .absent where isIndexed:
                    if await change(.remove, table: table, fence: fence) {
                        result.removed.append(table)
                        indexed.remove(table)
                    }
                default:
                    break
                }
            }
            let elapsed = clock.now - started
            if elapsed < batchPause {
                try? await Task.sleep(for: batchPause - elapsed)
            }
        }
        // Entries whose route node was not listed: read them once more (created meanwhile?), remove the stale.
        let orphans = indexed.subtracting(seen).sorted()
        for start in stride(from: 0, to: orphans.count, by: settings.batchSize) {
            guard let fence = election.fence() else { return result }
            let batch = Array(orphans[start..<min(start + settings.batchSize, orphans.count)])
            for (table, node) in await read(batch) {
                result.read += 1
                guard case .absent = node else { continue }
                if await change(.remove, table: table, fence: fence) {
                    result.removed.append(table)
                }
            }
        }
        result.complete = true
        if !result.added.isEmpty || !result.removed.isEmpty {
            logger.notice(
                "Protected-table index repaired",
                metadata: [
                    "metaproxy.index.added": "\(result.added.count)",
                    "metaproxy.index.removed": "\(result.removed.count)",
                    "metaproxy.tables": "\(tables.count)",
                ])
        }
        return result
    }

    private enum Node: Sendable {
        case protected(version: Int32)
        case unprotected
        case malformed
        case absent
        case failed
    }

    private enum Change {
        case add(routeVersion: Int32)
        case remove

        var isAdd: Bool {
            if case .add = self { return true }
            return false
        }
    }

    private func indexEntries() async throws(ZooKeeperError) -> Set<String> {
        do throws(ZooKeeperError) {
            return Set(try await client.children(paths.protectedIndex))
        } catch where error.code == .noNode {
            return []
        }
    }

    /// Reads `tables`' route nodes concurrently, without watches.
    private func read(_ tables: [String]) async -> [(String, Node)] {
        await withTaskGroup(of: (String, Node).self) { group in
            for table in tables {
                group.addTask {
                    let path = self.paths.root == "/" ? "/" + table : self.paths.root + "/" + table
                    do throws(ZooKeeperError) {
                        let (data, stat) = try await self.client.get(path)
                        do throws(RouteError) {
                            let route = try RouteDocument.decode(data, table: table, path: path)
                            return (table, route.backups.isEmpty ? .unprotected : .protected(version: stat.version))
                        } catch {
                            return (table, .malformed)
                        }
                    } catch where error.code == .noNode {
                        return (table, .absent)
                    } catch {
                        return (table, .failed)
                    }
                }
            }
            var reads: [(String, Node)] = []
            for await read in group {
                reads.append(read)
            }
            return reads.sorted { $0.0 < $1.0 }
        }
    }

    /// Adds or removes `table`'s entry in one fenced multi-op.
    /// - Returns: Whether the index changed.
    private func change(_ change: Change, table: String, fence: DeciderFence) async -> Bool {
        let entry = paths.protectedIndexEntry(of: table)
        let routePath = paths.root == "/" ? "/" + table : paths.root + "/" + table
        let check = ZooKeeperOperation.check(path: fence.electionNode, version: -1)
        var operations: [ZooKeeperOperation]
        switch change {
        case .add(let version):
            operations = [check, .check(path: routePath, version: version), .create(path: entry, data: [])]
        case .remove:
            operations = [check, .delete(path: entry, version: -1)]
        }
        for attempt in 0..<2 {
            do throws(ZooKeeperError) {
                try await client.multi(operations)
                logger.info(
                    "Protected-table index entry \(change.isAdd ? "added" : "removed")",
                    metadata: [FailoverLoggingKeys.table: "\(table)"])
                return true
            } catch {
                if error.failedOperation == 0 || error.code == .sessionExpired {
                    election.fenced()
                    logger.warning(
                        "Protected-table index write rejected by its fence; this instance stops deciding",
                        metadata: [FailoverLoggingKeys.table: "\(table)", FailoverLoggingKeys.reasonCode: "fenced"])
                    return false
                }
                if attempt == 0, change.isAdd, error.failedOperation == 2, error.code == .noNode {
                    // No index directory yet: create it (with this instance's failover ACL), then try again.
                    do throws(ZooKeeperError) {
                        _ = try await client.create(paths.protectedIndex, createParents: true)
                    } catch where error.code == .nodeExists {
                    } catch {
                        logChangeFailure(table, error)
                        return false
                    }
                    continue
                }
                // The route changed meanwhile (1), or another writer fixed the entry (2): the next pass looks again.
                if error.failedOperation == nil || error.code == .noAuth {
                    logChangeFailure(table, error)
                }
                return false
            }
        }
        return false
    }

    private func logChangeFailure(_ table: String, _ error: ZooKeeperError) {
        logger.warning(
            "Protected-table index write failed; retrying at the next pass",
            metadata: [FailoverLoggingKeys.table: "\(table)", FailoverLoggingKeys.error: "\(error)"])
    }
}

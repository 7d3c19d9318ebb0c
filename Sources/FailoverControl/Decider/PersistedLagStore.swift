import FailoverPolicy
import HealthProbe
import Logging
import PegasusWire
import RouteModel
import Router
import Synchronization
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Persists the last known duplication lag of every protected table at ``FailoverPaths/lag(of:)``
/// (``PersistedLagDocument``), and gives it back to a decider that has no live value of its own.
///
/// **Writing** (the decider, every tick, ``record(_:routes:fence:now:)``): for each table, the links whose
/// lag the prober knows now replace their entries; links whose lag is unknown keep their last known entry
/// (never overwritten by unknown). At most one write per table every ``Settings/minimumWriteInterval``
/// (5 s: ≤ 0.2 writes/s per table with duplication), and only when an observation is newer than the
/// written one. Writes are fenced like decisions (``DeciderFence``).
///
/// **Reading** (``filling(_:route:snapshot:)``): a link whose live lag is unknown (the primary is
/// down, or this decider was elected after it died) takes the persisted value, unless the live reading
/// says the table has no duplication there. A link neither read live nor persisted is "lag unknown"
/// (the guard refuses with `lag_unknown`), not "no duplication". The age is judged on ZooKeeper's clock, never on another
/// host's: the entry's `age_at_write_ms` plus (ZooKeeper's now − the node's `mtime`), ZooKeeper's now
/// being the `mtime` of a write to ``FailoverPaths/clock``; afterwards it grows on this host's monotonic
/// clock. Loaded nodes are re-read every ``Settings/reloadInterval``.
final class PersistedLagStore: Sendable {
    /// Timing.
    struct Settings: Sendable {
        /// The shortest pause between two writes of one table's node.
        var minimumWriteInterval: Duration = .seconds(5)
        /// How long a loaded node is used before it is read again.
        var reloadInterval: Duration = .seconds(5)
    }

    private struct Written {
        var document: PersistedLagDocument?
        /// `nil`: no node (create it).
        var version: Int32?
        var at: ContinuousClock.Instant
    }

    private struct Loaded {
        /// Each link with its age when loaded (ZooKeeper's clock); empty when there is no node.
        var links: [(link: PersistedLagDocument.Link, age: Duration)]
        var at: ContinuousClock.Instant
    }

    private struct State {
        var written: [String: Written] = [:]
        var loaded: [String: Loaded] = [:]
    }

    private let client: ZooKeeperClient
    private let paths: FailoverPaths
    private let instanceID: String
    private let settings: Settings
    private let writeFailures: StateWriteFailures
    private let logger: Logger
    private let clock = ContinuousClock()
    private let state = Mutex(State())

    init(
        client: ZooKeeperClient,
        paths: FailoverPaths,
        instanceID: String,
        settings: Settings = Settings(),
        writeFailures: StateWriteFailures,
        logger: Logger
    ) {
        self.client = client
        self.paths = paths
        self.instanceID = instanceID
        self.settings = settings
        self.writeFailures = writeFailures
        self.logger = logger
    }

    // MARK: - Writing

    /// Persists the known lags of `routes`' links in `snapshot`, throttled.
    /// - Parameters:
    ///   - fence: The decider's fence; `nil` without an election.
    ///   - now: The writer's time (for the observations' ages at the write).
    /// - Throws: ``FailoverStateError/Code/fenced`` when the fence rejected a write (nothing more is written).
    func record(_ snapshot: HealthSnapshot, routes: [Route], fence: DeciderFence?, now: Date) async throws(FailoverStateError) {
        let byTable = Dictionary(grouping: snapshot.duplications, by: \.table)
        var due: [(table: String, links: [PersistedLagDocument.Link])] = []
        for route in routes {
            guard let observations = byTable[route.table] else { continue }
            let clusters = Set(route.clusters.map(\.name))
            let links = observations
                .filter { clusters.contains($0.primaryCluster) && clusters.contains($0.backupCluster) }
                .compactMap { PersistedLagDocument.link($0, now: now) }
            guard !links.isEmpty, isDue(route.table, links) else { continue }
            due.append((route.table, links))
        }
        guard !due.isEmpty else { return }
        try await write(due, fence: fence)
    }

    private func isDue(_ table: String, _ links: [PersistedLagDocument.Link]) -> Bool {
        state.withLock { state in
            guard let written = state.written[table] else { return true }
            guard clock.now - written.at >= settings.minimumWriteInterval else { return false }
            guard let document = written.document else { return true }
            return links.contains { link in
                guard let old = document.links.first(where: { $0.matches(link.primary, link.backup) }) else { return true }
                return link.observedAtMilliseconds > old.observedAtMilliseconds
            }
        }
    }

    /// Writes the due tables' documents with few fenced multi-ops (``FencedBatchWriter``): a table whose
    /// node changed meanwhile is skipped (read again on its next write), the others are written.
    private func write(_ due: [(table: String, links: [PersistedLagDocument.Link])], fence: DeciderFence?) async throws(FailoverStateError) {
        let bases = await currents(due.map(\.table))
        var items: [FencedBatchWriter.Item] = []
        var documents: [(table: String, document: PersistedLagDocument)] = []
        for (table, links) in due {
            guard let base = bases[table] else { continue }
            let document = (base.document ?? PersistedLagDocument(table: table, writtenBy: instanceID, links: []))
                .merging(links, writtenBy: instanceID)
            guard let data = try? document.jsonBytes() else { continue }
            items.append(FencedBatchWriter.Item(path: paths.lag(of: table), data: data, version: base.version))
            documents.append((table, document))
        }
        guard !items.isEmpty else { return }
        let outcomes = await FencedBatchWriter(client: client).write(items, fence: fence, parent: paths.lagDirectory)
        let now = clock.now
        var fencedBy: (table: String, path: String, error: ZooKeeperError)?
        var anyWritten = false
        var requestFailureCounted = false
        state.withLock { state in
            for ((table, document), (item, outcome)) in zip(documents, zip(items, outcomes)) {
                switch outcome {
                case .written(let version):
                    state.written[table] = Written(document: document, version: version, at: now)
                case .fenced(let error):
                    state.written.removeValue(forKey: table)
                    if fencedBy == nil {
                        fencedBy = (table, item.path, error)
                    }
                case .rejected, .unknown:
                    // Changed meanwhile, or the outcome is unknown: read it again on the next write.
                    state.written.removeValue(forKey: table)
                }
            }
        }
        for (item, outcome) in zip(items, outcomes) {
            switch outcome {
            case .written:
                anyWritten = true
            case .fenced:
                break
            case .rejected(let error), .unknown(let error):
                if error.code == .badVersion || error.code == .nodeExists || error.code == .noNode {
                    continue
                }
                // A request that failed as a whole is counted once, not once per node it carried.
                if outcome.isUnknown {
                    if requestFailureCounted { continue }
                    requestFailureCounted = true
                }
                writeFailures.failed(.lag, path: item.path, error: error)
            }
        }
        if anyWritten {
            writeFailures.succeeded(.lag)
        }
        if let fencedBy {
            throw FailoverStateError(code: .fenced, table: fencedBy.table, path: fencedBy.path, detail: "\(fencedBy.error)")
        }
    }

    /// The last written document and version of each table (`version` `nil`: no node), read from ZooKeeper
    /// for a table not written yet (or after a failed write), a few reads at a time. A table whose read
    /// failed is left out (not written this time).
    private func currents(_ tables: [String]) async -> [String: (document: PersistedLagDocument?, version: Int32?)] {
        var bases: [String: (document: PersistedLagDocument?, version: Int32?)] = [:]
        var missing: [String] = []
        state.withLock { state in
            for table in tables {
                if let written = state.written[table] {
                    bases[table] = (written.document, written.version)
                } else {
                    missing.append(table)
                }
            }
        }
        var start = 0
        while start < missing.count {
            let slice = missing[start..<min(start + Self.concurrentReads, missing.count)]
            start += slice.count
            await withTaskGroup(of: (String, (document: PersistedLagDocument?, version: Int32?)?).self) { group in
                for table in slice {
                    group.addTask { (table, await self.read(table)) }
                }
                for await (table, base) in group {
                    if let base {
                        bases[table] = base
                    }
                }
            }
        }
        return bases
    }

    /// How many lag nodes are read at once when a decider first writes them.
    private static let concurrentReads = 32

    /// The table's node as stored now; `nil` when the read failed.
    private func read(_ table: String) async -> (document: PersistedLagDocument?, version: Int32?)? {
        let path = paths.lag(of: table)
        do throws(ZooKeeperError) {
            let (data, stat) = try await client.get(path)
            // A malformed node is replaced (compare-and-set on its version).
            return (try? PersistedLagDocument(jsonBytes: data), stat.version)
        } catch where error.code == .noNode {
            return (nil, nil)
        } catch {
            writeFailures.failed(.lag, path: path, error: error)
            return nil
        }
    }

    // MARK: - Reading

    /// `input` with every link whose live lag is unknown taking the persisted lag, when there is one.
    /// - Parameters:
    ///   - input: The input built from the live snapshot.
    ///   - route: The table's route.
    ///   - snapshot: The live snapshot (a link it positively reports without duplication is left alone).
    func filling(_ input: DecisionInput, route: Route, snapshot: HealthSnapshot) async -> DecisionInput {
        await filling(input, route: route, live: LiveLinks(snapshot))
    }

    /// The links a live snapshot positively reports without duplication, indexed once for every table of a
    /// tick (a scan of the snapshot per table would make a tick quadratic in the number of tables).
    struct LiveLinks: Sendable {
        private struct Key: Hashable {
            var table: String
            var primary: String
            var backup: String
        }

        private let withoutDuplication: Set<Key>

        /// Indexes `snapshot`'s observations.
        init(_ snapshot: HealthSnapshot) {
            var keys = Set<Key>()
            var seen = Set<Key>()
            for observation in snapshot.duplications {
                let key = Key(table: observation.table, primary: observation.primaryCluster, backup: observation.backupCluster)
                // The first observation of a link is the one that counts.
                guard seen.insert(key).inserted else { continue }
                if observation.lagUnknownReason == .noDuplication {
                    keys.insert(key)
                }
            }
            withoutDuplication = keys
        }

        /// Whether the live reading says `table` has no duplication from `primary` to `backup`.
        func saysNoDuplication(_ table: String, _ primary: String, _ backup: String) -> Bool {
            withoutDuplication.contains(Key(table: table, primary: primary, backup: backup))
        }
    }

    /// `input` with every link whose live lag is unknown taking the persisted lag, when there is one.
    /// - Parameters:
    ///   - input: The input built from the live snapshot.
    ///   - route: The table's route.
    ///   - live: The live snapshot's links without duplication (left alone).
    func filling(_ input: DecisionInput, route: Route, live: LiveLinks) async -> DecisionInput {
        var input = input
        var needed: [(primary: String, backup: String, reverse: Bool)] = []
        // Only the links the next decision can use: away from the primary, or back to it from the backup in use.
        let active = input.effectiveCluster
        for backup in route.backups.map(\.name) {
            if active == route.primary.name,
                needsFill(input.duplications[backup], route.table, route.primary.name, backup, live)
            {
                needed.append((route.primary.name, backup, false))
            }
            if active == backup,
                needsFill(input.reverseDuplications[backup], route.table, backup, route.primary.name, live)
            {
                needed.append((backup, route.primary.name, true))
            }
        }
        guard !needed.isEmpty else { return input }
        let loaded = await load(route.table)
        let elapsed = loaded.map { clock.now - $0.at } ?? .zero
        for (primary, backup, reverse) in needed {
            guard let entry = loaded?.links.first(where: { $0.link.matches(primary, backup) }) else {
                // Neither read live nor persisted: the lag is unknown (not "no duplication"), unless its
                // first read is still pending (the policy then says when it will be).
                if !reverse, input.pendingDuplicationReads[backup] != nil { continue }
                let unknown = DuplicationView(
                    duplicating: true, status: .log, failMode: .slow, maxLagDecrees: nil, observedAt: nil)
                if reverse {
                    if input.reverseDuplications[primary] == nil {
                        input.reverseDuplications[primary] = unknown
                    }
                } else if input.duplications[backup] == nil {
                    input.duplications[backup] = unknown
                }
                continue
            }
            let age = entry.age + elapsed
            let view = Self.view(entry.link, observedAt: input.now.addingTimeInterval(-Self.seconds(age)))
            if reverse {
                input.reverseDuplications[primary] = view
            } else {
                input.duplications[backup] = view
            }
            logger.debug(
                "Using the persisted duplication lag",
                metadata: [
                    FailoverLoggingKeys.table: "\(route.table)",
                    FailoverLoggingKeys.from: "\(primary)",
                    FailoverLoggingKeys.to: "\(backup)",
                    FailoverLoggingKeys.lag: "\(entry.link.maxLag)",
                    "failover.lag_age": "\(age)",
                ])
        }
        return input
    }

    private func needsFill(
        _ view: DuplicationView?,
        _ table: String,
        _ primary: String,
        _ backup: String,
        _ live: LiveLinks
    ) -> Bool {
        if let view, view.maxLagDecrees != nil, view.observedAt != nil {
            return false
        }
        return !live.saysNoDuplication(table, primary, backup)
    }

    /// The table's persisted links with their ages now on ZooKeeper's clock, from the cache or read again.
    private func load(_ table: String) async -> Loaded? {
        if let cached = state.withLock({ $0.loaded[table] }), clock.now - cached.at < settings.reloadInterval {
            return cached
        }
        let path = paths.lag(of: table)
        let loaded: Loaded
        do throws(ZooKeeperError) {
            let (data, stat) = try await client.get(path)
            let zooKeeperNow = try await zooKeeperTime()
            let at = clock.now
            guard let document = try? PersistedLagDocument(jsonBytes: data) else {
                logger.warning("Persisted duplication lag node is malformed; ignoring it", metadata: [FailoverLoggingKeys.zkPath: "\(path)"])
                loaded = Loaded(links: [], at: at)
                state.withLock { $0.loaded[table] = loaded }
                return loaded
            }
            let links = document.links.map { link in
                // ZooKeeper's time of the observation: the write's mtime minus the age it had then.
                let observed = stat.mtime - link.ageAtWriteMilliseconds
                return (link, Duration.milliseconds(max(0, zooKeeperNow - observed)))
            }
            loaded = Loaded(links: links, at: at)
        } catch where error.code == .noNode {
            loaded = Loaded(links: [], at: clock.now)
        } catch {
            logger.warning(
                "Reading the persisted duplication lag failed",
                metadata: [FailoverLoggingKeys.zkPath: "\(path)", FailoverLoggingKeys.error: "\(error)"])
            return nil
        }
        state.withLock { $0.loaded[table] = loaded }
        return loaded
    }

    /// ZooKeeper's current time in milliseconds since the epoch: the `mtime` of a write to ``FailoverPaths/clock``.
    private func zooKeeperTime() async throws(ZooKeeperError) -> Int64 {
        do throws(ZooKeeperError) {
            return try await client.set(paths.clock, data: []).mtime
        } catch where error.code == .noNode {
            do throws(ZooKeeperError) {
                try await client.create(paths.clock, createParents: true)
            } catch where error.code == .nodeExists {}
            return try await client.set(paths.clock, data: []).mtime
        }
    }

    private static func view(_ link: PersistedLagDocument.Link, observedAt: Date) -> DuplicationView {
        let status = DuplicationStatus(idlName: link.status)
        var failMode = DuplicationFailMode.slow
        if let reported = link.failMode {
            let mode = DuplicationFailMode(idlName: reported)
            failMode = DuplicationFailMode.names[mode.rawValue] == nil ? .skip : mode
        }
        return DuplicationView(
            duplicating: true,
            status: DuplicationStatus.names[status.rawValue] == nil ? .removed : status,
            failMode: failMode,
            maxLagDecrees: Int(clamping: link.maxLag),
            observedAt: observedAt
        )
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}

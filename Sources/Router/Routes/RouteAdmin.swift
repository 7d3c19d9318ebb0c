import Logging
import PegasusWire
import RouteModel
import ZooKeeper

/// Operator actions on the route nodes under a ZooKeeper root (`meta-proxy route ...`).
///
/// Writes use the RFC layout (``RouteDocument/encode(_:)``). Nodes are created with `acl` (for
/// example world-readable, writable by the operator's digest identity).
///
/// Every write keeps the **protected-table index** (``protectedIndexPath(of:)``,
/// `<root>/.meta-proxy/protected/<table>`) in step with the route, in the same ZooKeeper multi-op:
/// a route with backups has an (empty) index entry, a route without backups or a deleted route has
/// none. The failover runtime loads only the indexed tables' routes (see `docs/failover.md`). When
/// the index cannot be written — with credentials before `failover init` created `<root>/.meta-proxy`,
/// or when this identity may not write there (`NOAUTH`) — the route is written alone; the elected
/// decider's reconciliation scan indexes it later.
public struct RouteAdmin: Sendable {
    /// Why an action was refused.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What kind of refusal.
        public struct Code: Hashable, Sendable, CustomStringConvertible {
            private let raw: String
            private init(_ raw: String) { self.raw = raw }
            /// The table name cannot be a route node.
            public static let invalidTableName = Code("invalid table name")
            /// A compare-and-set found the node changed (or deleted) since it was read.
            public static let conflict = Code("conflict")
            /// The code's name.
            public var description: String { raw }
        }

        /// What kind of refusal.
        public var code: Code
        /// The table the action was for.
        public var table: String
        /// What went wrong, for the operator.
        public var description: String

        init(_ code: Code, table: String, _ description: String) {
            self.code = code
            self.table = table
            self.description = description
        }
    }

    /// One node as `list` reads it: a route, or why the node is not one.
    public enum Listing: Sendable {
        case route(Route)
        case invalid(table: String, error: RouteError)
    }

    private let client: ZooKeeperClient
    /// The root path, without a trailing slash.
    public let root: String
    private let acl: ZooKeeperACL?

    /// Names reserved under the root for meta-proxy's own state (never table nodes).
    public static let reservedChild = ".meta-proxy"
    /// The protected-table index under ``reservedChild``: one empty child per table whose route has backups.
    public static let protectedIndexChild = "protected"

    /// Creates the admin over a connected client.
    public init(client: ZooKeeperClient, root: String, acl: ZooKeeperACL? = nil) {
        self.client = client
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.acl = acl
    }

    /// The node path of `table`.
    public func path(of table: String) -> String { root == "/" ? "/\(table)" : "\(root)/\(table)" }

    /// `<root>/.meta-proxy/protected`: the protected-table index.
    public var protectedIndex: String { Self.protectedIndex(root: root) }

    /// `<root>/.meta-proxy/protected/<table>`: the index entry of `table`.
    public func protectedIndexPath(of table: String) -> String { protectedIndex + "/" + table }

    /// `<root>/.meta-proxy/protected` for a root without a trailing slash.
    public static func protectedIndex(root: String) -> String {
        (root == "/" ? "" : root) + "/" + reservedChild + "/" + protectedIndexChild
    }

    /// Writes `route` (creating the node and its parents, or overwriting it).
    /// - Returns: `true` when the node was created, `false` when it was overwritten.
    @discardableResult
    public func set(_ route: Route) async throws -> Bool {
        try Self.validate(route)
        let data = RouteDocument.encode(route)
        let protected = !route.backups.isEmpty
        do throws(ZooKeeperError) {
            try await writeIndexed(
                .create(path: path(of: route.table), data: data, mode: .persistent, acl: acl), table: route.table,
                protected: protected)
            return true
        } catch {
            guard error.code == .nodeExists, error.failedOperation ?? 0 == 0 else { throw error }
        }
        try await writeIndexed(.set(path: path(of: route.table), data: data, version: -1), table: route.table, protected: protected)
        return false
    }

    /// Runs `operation` (a write of `table`'s route node) and the index change it needs as one multi-op:
    /// the index entry is created when `protected` and missing, deleted when not `protected` and present.
    ///
    /// Races on the index (another writer added or removed the entry meanwhile) are read again and retried;
    /// a missing root or index directory is created (with `acl`); an index this identity may not write
    /// (`NOAUTH`) leaves the route written alone.
    /// - Throws: The route operation's error (``ZooKeeperError/failedOperation`` 0), or a request error.
    @discardableResult
    func writeIndexed(
        _ operation: ZooKeeperOperation, table: String, protected: Bool
    ) async throws(ZooKeeperError) -> ZooKeeperOperationResult {
        let entry = protectedIndexPath(of: table)
        var indexWritable = true
        for attempt in 0..<5 {
            var operations = [operation]
            if indexWritable {
                let indexed = try await client.exists(entry) != nil
                if protected, !indexed {
                    operations.append(.create(path: entry, data: [], mode: .persistent, acl: acl))
                } else if !protected, indexed {
                    operations.append(.delete(path: entry, version: -1))
                }
            }
            do throws(ZooKeeperError) {
                let results = try await client.multi(operations)
                guard let first = results.first else {
                    throw ZooKeeperError(.systemError, path: operation.path, detail: "multi answered nothing")
                }
                return first
            } catch {
                switch error.failedOperation {
                case 0:
                    guard error.code == .noNode, case .create = operation, attempt == 0, root != "/" else { throw error }
                    // A multi cannot create parents: create the root, then try again.
                    do throws(ZooKeeperError) {
                        _ = try await client.create(root, acl: acl, createParents: true)
                    } catch where error.code == .nodeExists {}
                case 1:
                    switch error.code {
                    case .noAuth:
                        indexWritable = false
                    case .noNode where protected:
                        indexWritable = try await createIndexDirectory()
                    default:
                        break  // Changed meanwhile: read it again.
                    }
                default:
                    throw error
                }
            }
        }
        throw ZooKeeperError(.systemError, path: entry, detail: "the protected-table index entry changes faster than it is written")
    }

    /// Creates ``protectedIndex`` with the ACL of `<root>/.meta-proxy` (the failover ACL after
    /// `failover init`, so that the proxies may add and remove entries too). Without credentials (the
    /// open ACL) a missing `<root>/.meta-proxy` is created too, open like everything else.
    /// - Returns: Whether the index directory exists now; `false` when `<root>/.meta-proxy` does not
    ///   exist and this writer uses credentials (`failover init` creates it with the failover ACL; until
    ///   then the decider's scan indexes the route), or this identity may not create it.
    private func createIndexDirectory() async throws(ZooKeeperError) -> Bool {
        let base = root == "/" ? "/" + Self.reservedChild : root + "/" + Self.reservedChild
        let inherited: ZooKeeperACL
        let createParents: Bool
        do throws(ZooKeeperError) {
            inherited = try await client.getACL(base)
            createParents = false
        } catch where error.code == .noNode {
            inherited = acl ?? client.configuration.defaultACL
            guard inherited == .openUnsafe else { return false }
            createParents = true
        }
        do throws(ZooKeeperError) {
            _ = try await client.create(protectedIndex, acl: inherited, createParents: createParents)
        } catch where error.code == .nodeExists {
        } catch where error.code == .noAuth || error.code == .noNode {
            return false
        }
        return true
    }

    /// The route of `table` and its node version.
    /// - Throws: ``RouteError`` (unknown table, malformed node) or ``ZooKeeperError``.
    public func get(_ table: String) async throws -> (route: Route, version: Int32) {
        let path = path(of: table)
        do {
            let (data, stat) = try await client.get(path)
            return (try RouteDocument.decode(data, table: table, path: path), stat.version)
        } catch let error as ZooKeeperError where error.code == .noNode {
            throw RouteError(code: .unknownTable, table: table, source: path, reason: "no route node")
        }
    }

    /// Every table node under the root, sorted by table name.
    public func list() async throws -> [Listing] {
        var children: [String] = []
        do throws(ZooKeeperError) {
            children = try await client.children(root)
        } catch {
            guard error.code == .noNode else { throw error }
        }
        var listings: [Listing] = []
        for table in children.sorted() where table != Self.reservedChild {
            do {
                listings.append(.route(try await get(table).route))
            } catch let error as RouteError {
                listings.append(.invalid(table: table, error: error))
            }
        }
        return listings
    }

    /// The tables of the protected-table index; `nil` when the index does not exist.
    public func protectedIndexEntries() async throws -> Set<String>? {
        do throws(ZooKeeperError) {
            return Set(try await client.children(protectedIndex))
        } catch {
            guard error.code == .noNode else { throw error }
            return nil
        }
    }

    /// `root` without a trailing slash (`/` stays `/`).
    public static func normalizedRoot(_ root: String) -> String {
        root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// Deletes `table`'s route node.
    public func delete(_ table: String) async throws {
        do throws(ZooKeeperError) {
            try await writeIndexed(.delete(path: path(of: table), version: -1), table: table, protected: false)
        } catch {
            guard error.code == .noNode, error.failedOperation ?? 0 == 0 else { throw error }
            throw RouteError(code: .unknownTable, table: table, source: path(of: table), reason: "no route node")
        }
    }

    /// Re-homes an existing route to `cluster` with compare-and-set: fails if the node changed
    /// between the read and the write.
    /// - Parameters:
    ///   - backups: the new backups, or `nil` to keep the current ones (minus the new primary).
    /// - Returns: the route before and after.
    public func switchRoute(_ table: String, to cluster: ClusterRoute, backups: [ClusterRoute]?) async throws -> (
        before: Route, after: Route
    ) {
        let current = try await get(table)
        let keptBackups = (backups ?? current.route.backups).filter { $0.name != cluster.name }
        let after = Route(table: table, primary: cluster, backups: keptBackups)
        try Self.validate(after)
        try await compareAndSet(after, expectedVersion: current.version)
        return (current.route, after)
    }

    /// Writes `route` only if its node is still at `expectedVersion`.
    /// - Throws: ``Failure`` with code ``Failure/Code/conflict`` when the node changed or was deleted
    ///   since it was read; ``ZooKeeperError`` otherwise.
    public func compareAndSet(_ route: Route, expectedVersion: Int32) async throws {
        let path = path(of: route.table)
        do throws(ZooKeeperError) {
            try await writeIndexed(
                .set(path: path, data: RouteDocument.encode(route), version: expectedVersion), table: route.table,
                protected: !route.backups.isEmpty)
        } catch {
            switch error.failedOperation == nil || error.failedOperation == 0 ? error.code : .systemError {
            case .badVersion:
                throw Failure(
                    .conflict, table: route.table,
                    "route of \(route.table) (\(path)) changed meanwhile (node version was \(expectedVersion)); "
                        + "read it again and retry")
            case .noNode:
                throw Failure(
                    .conflict, table: route.table, "route of \(route.table) (\(path)) was deleted meanwhile; nothing written")
            default:
                throw error
            }
        }
    }

    /// What `sync` does with one table of the cluster.
    public enum SyncAction: String, Sendable {
        /// No route yet: one is created.
        case create
        /// Already routed to this cluster: nothing to do.
        case unchanged
        /// Routed to another cluster: left alone (reported).
        case conflict
        /// Routed to another cluster and `force` given: overwritten.
        case overwrite
    }

    /// One line of a sync plan.
    public struct SyncItem: Sendable {
        /// The table.
        public var table: String
        /// What sync does (or, with `dryRun`, would do) with it.
        public var action: SyncAction
        /// The cluster the table is routed to now, if any.
        public var currentCluster: String?
        /// Why a table is a conflict when it is not routed to another cluster (its node is invalid, or
        /// another writer changed it while sync ran).
        public var note: String?
    }

    /// How many tables `sync` reads and writes at once by default: ZooKeeper answers pipelined
    /// requests in order on one session, so a few dozen in flight hide the round trip without
    /// queueing a whole cluster's requests at once.
    public static let defaultSyncConcurrency = 64

    /// Plans (and unless `dryRun`, applies) routes for `tables` of `cluster`.
    ///
    /// A table without a route gets one; a table routed to `cluster` is left alone; a table routed
    /// elsewhere, or whose node is not a valid route, is a conflict left alone unless `force`. Every
    /// write is conditional on what was read (create only if still absent, overwrite only if the
    /// node's version is unchanged), so a concurrent writer's route is never lost: such a table is
    /// reported as a conflict.
    ///
    /// The root's children are listed once: a table without a node is created without being read
    /// first. Up to `concurrency` tables are read and written at once (ten thousand tables take
    /// seconds, not one round trip after another).
    /// - Returns: The plan, sorted by table name.
    public func sync(
        tables: [String], cluster: ClusterRoute, force: Bool, dryRun: Bool,
        concurrency: Int = RouteAdmin.defaultSyncConcurrency
    ) async throws -> [SyncItem] {
        let sorted = Array(Set(tables)).sorted()
        var existing: Set<String> = []
        do throws(ZooKeeperError) {
            existing = Set(try await client.children(root))
        } catch {
            guard error.code == .noNode else { throw error }
        }
        let known = existing
        var plan = [SyncItem?](repeating: nil, count: sorted.count)
        try await withThrowingTaskGroup(of: (Int, SyncItem).self) { group in
            var next = 0
            func startNext() {
                guard next < sorted.count else { return }
                let index = next
                let table = sorted[index]
                next += 1
                group.addTask {
                    (index, try await syncOne(table, cluster: cluster, mayExist: known.contains(table), force: force, dryRun: dryRun))
                }
            }
            for _ in 0..<max(1, concurrency) { startNext() }
            while let (index, item) = try await group.next() {
                plan[index] = item
                startNext()
            }
        }
        return plan.compactMap { $0 }
    }

    /// Plans (and unless `dryRun`, applies) the route of one table of `sync`.
    /// - Parameter mayExist: Whether the table's node was listed (else it is created without a read;
    ///   one created meanwhile makes the create a conflict).
    private func syncOne(
        _ table: String, cluster: ClusterRoute, mayExist: Bool, force: Bool, dryRun: Bool
    ) async throws -> SyncItem {
        let existing = mayExist ? try await node(of: table) : nil
        var item = SyncItem(table: table, action: .create)
        var keptBackups: [ClusterRoute] = []
        switch existing {
        case nil:
            item.action = .create
        case .some((.success(let route), _)):
            item.currentCluster = route.primary.name
            item.action = route.primary.name == cluster.name ? .unchanged : (force ? .overwrite : .conflict)
            keptBackups = route.backups.filter { $0.name != cluster.name }
        case .some((.failure(let error), _)):
            item.note = "invalid route node: \(error.reason)"
            item.action = force ? .overwrite : .conflict
        }
        guard !dryRun, item.action == .create || item.action == .overwrite else { return item }
        try Self.checkTableName(table)
        let route = Route(table: table, primary: cluster, backups: keptBackups)
        do {
            if let version = existing?.version {
                try await compareAndSet(route, expectedVersion: version)
            } else {
                try await create(route)
            }
        } catch let failure as Failure where failure.code == .conflict {
            item.action = .conflict
            item.note = failure.description
        }
        return item
    }

    /// Creates `route`'s node; fails with ``Failure/Code/conflict`` when it exists already.
    private func create(_ route: Route) async throws {
        do throws(ZooKeeperError) {
            try await writeIndexed(
                .create(path: path(of: route.table), data: RouteDocument.encode(route), mode: .persistent, acl: acl),
                table: route.table, protected: !route.backups.isEmpty)
        } catch {
            guard error.code == .nodeExists, error.failedOperation ?? 0 == 0 else { throw error }
            throw Failure(.conflict, table: route.table, "route of \(route.table) was created meanwhile; nothing written")
        }
    }

    /// `table`'s node read as a route (or why it is not one) with its version; `nil` when there is no node.
    private func node(of table: String) async throws -> (route: Result<Route, RouteError>, version: Int32)? {
        let path = path(of: table)
        let data: [UInt8]
        let stat: ZooKeeperStat
        do throws(ZooKeeperError) {
            (data, stat) = try await client.get(path)
        } catch {
            guard error.code == .noNode else { throw error }
            return nil
        }
        do throws(RouteError) {
            return (.success(try RouteDocument.decode(data, table: table, path: path)), stat.version)
        } catch {
            return (.failure(error), stat.version)
        }
    }

    /// The route of `table`, or `nil` when it has none.
    public func existingRoute(_ table: String) async throws -> Route? {
        do {
            return try await get(table).route
        } catch let error as RouteError where error.code == .unknownTable {
            return nil
        }
    }

    /// Whether `table` can be a route node (1 to 256 of letters, digits, `_ . - :`; not `.` or `..`).
    public static func isValidTableName(_ table: String) -> Bool {
        ZooKeeperRouteStore.isValidTableName(table)
    }

    /// Checks `route` as the proxy will read it back, before anything is written: the table name,
    /// and that no backup is the primary, is listed twice or shares a MetaServer with another cluster.
    /// - Throws: ``Failure`` (invalid table name) or ``RouteModel/RouteError`` (malformed) with the reason.
    public static func validate(_ route: Route) throws {
        try checkTableName(route.table)
        _ = try RouteDocument.decode(RouteDocument.encode(route), table: route.table, path: "route of \(route.table)")
    }

    static func checkTableName(_ table: String) throws {
        guard ZooKeeperRouteStore.isValidTableName(table) else {
            throw Failure(.invalidTableName, table: table, "\"\(table)\" is not a valid table name (letters, digits, _ . - :)")
        }
    }
}

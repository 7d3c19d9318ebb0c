import FailoverPolicy
import PegasusWire
import RouteModel
import Router

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a ``FailoverStateStore`` knows about one table's effective-route document
/// (``FailoverPaths/effectiveRoute(of:)``).
public enum FailoverTableState: Sendable, Hashable {
    /// Not read yet, or the read failed before anything was known: route by the declared primary.
    case unknown
    /// No document: the table is on its primary and never switched.
    case absent
    /// The document and its version, for compare-and-set.
    case present(EffectiveRoute, version: Int32)
    /// The node holds bytes that are not a document. `previous` is the last good document (still
    /// used for routing); `version` is the node's version.
    case malformed(version: Int32, error: String, previous: EffectiveRoute?)

    /// The document queries are routed by: the current one, or the last good one of a malformed node.
    public var routingDocument: EffectiveRoute? {
        switch self {
        case .unknown, .absent: nil
        case .present(let document, _): document
        case .malformed(_, _, let previous): previous
        }
    }

    /// The node version, when a node exists.
    public var version: Int32? {
        switch self {
        case .unknown, .absent: nil
        case .present(_, let version), .malformed(let version, _, _): version
        }
    }
}

/// What a compare-and-set write expects to replace.
public enum FailoverWriteExpectation: Sendable, Hashable {
    /// No document yet: create it.
    case absent
    /// The document at this version.
    case version(Int32)
}

/// The health of a ``FailoverStateStore``'s source, for `GET /failover`.
public struct FailoverStoreStatus: Sendable, Hashable, Codable {
    /// `zookeeper <root>` or `local`.
    public var source: String
    /// Whether the source is reachable now. While it is not, routing keeps the last known state.
    public var reachable: Bool
    /// Since when it is unreachable; `nil` while reachable.
    public var unreachableSince: Date?
    /// Whether `<root>/.meta-proxy/paused` exists (automation paused for every table).
    public var globallyPaused: Bool
    /// The tables whose effective-route node is unreadable now (malformed, or its last read failed),
    /// sorted; each keeps routing by its last known document.
    public var unreadableTables: [String]

    enum CodingKeys: String, CodingKey {
        case source, reachable
        case unreachableSince = "unreachable_since"
        case globallyPaused = "globally_paused"
        case unreadableTables = "unreadable_tables"
    }

    /// Creates a status.
    public init(
        source: String,
        reachable: Bool,
        unreachableSince: Date?,
        globallyPaused: Bool,
        unreadableTables: [String] = []
    ) {
        self.source = source
        self.reachable = reachable
        self.unreachableSince = unreachableSince
        self.globallyPaused = globallyPaused
        self.unreadableTables = unreadableTables
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        source = try container.decode(String.self, forKey: .source)
        reachable = try container.decode(Bool.self, forKey: .reachable)
        unreachableSince = try container.decodeIfPresent(Date.self, forKey: .unreachableSince)
        globallyPaused = try container.decode(Bool.self, forKey: .globallyPaused)
        unreadableTables = try container.decodeIfPresent([String].self, forKey: .unreadableTables) ?? []
    }
}

/// The failover state every instance routes by: each table's ``EffectiveRoute`` (which cluster is
/// active), plus the global pause flag. ``EffectiveRouteSource/activeCluster(for:)`` stays
/// synchronous and cheap; loading happens in the background.
///
/// ``ZooKeeperFailoverStateStore`` shares the state through ZooKeeper (``FailoverPaths``);
/// ``LocalFailoverStateStore`` keeps it in memory for a single instance on a routes file.
public protocol FailoverStateStore: EffectiveRouteSource {
    /// Makes sure `tables` are loaded and followed (the decider calls it with every table it decides for).
    /// Returns at once; ``state(of:)`` answers ``FailoverTableState/unknown`` until a table is read.
    func track(_ tables: [String])

    /// What is known about `table`'s document; never loads.
    func state(of table: String) -> FailoverTableState
    /// When the table's effective-route node was last written, on ZooKeeper's clock (`mtime`, ms since
    /// the epoch), as of the last read; `nil` when unknown (no ZooKeeper, absent, or just written here).
    /// Ages of documents another host wrote are judged from it, never from that host's wall clock.
    func modifiedAt(of table: String) -> Int64?

    /// Whether automation is paused for every table.
    var isGloballyPaused: Bool { get }

    /// Writes `route` with compare-and-set and remembers it.
    /// - Parameters:
    ///   - route: The new document.
    ///   - expecting: The state it replaces.
    /// - Returns: The document's new version.
    /// - Throws: ``FailoverStateError`` (``FailoverStateError/Code/conflict`` when the document changed meanwhile).
    @discardableResult
    func write(_ route: EffectiveRoute, expecting: FailoverWriteExpectation) async throws(FailoverStateError) -> Int32

    /// Writes `route` as the decider: compare-and-set, and only while `fence` holds (atomically: one
    /// ZooKeeper multi-op checks the decider's election node and sets the document).
    /// - Parameters:
    ///   - route: The new document.
    ///   - expecting: The state it replaces.
    ///   - fence: The decider's election node.
    /// - Returns: The document's new version.
    /// - Throws: ``FailoverStateError``: ``FailoverStateError/Code/fenced`` when the election node is gone
    ///   (nothing was written), ``FailoverStateError/Code/conflict`` when the document changed meanwhile.
    @discardableResult
    func write(
        _ route: EffectiveRoute,
        expecting: FailoverWriteExpectation,
        fence: DeciderFence
    ) async throws(FailoverStateError) -> Int32

    /// Writes many documents as the decider, each compare-and-set on its own expectation and, with a
    /// `fence`, only while the fence holds (see ``FailoverStateWrite``). A store may batch them
    /// (``ZooKeeperFailoverStateStore`` sends few multi-ops); one document's conflict never loses another's
    /// write. Once the fence rejects a write, nothing more is written and the rest answer
    /// ``FailoverStateError/Code/fenced``.
    /// - Parameters:
    ///   - writes: The documents and what each replaces.
    ///   - fence: The decider's election node; `nil`: not fenced.
    /// - Returns: One result per write, in order: the document's new version or why it was not written.
    func write(batch writes: [FailoverStateWrite], fence: DeciderFence?) async -> [Result<Int32, FailoverStateError>]

    /// The source's health.
    func status() -> FailoverStoreStatus

    /// Every known document, sorted by table.
    func documents() -> [EffectiveRoute]
}

extension Route {
    /// The declared cluster (primary or backup) named `name`, or `nil`.
    public func cluster(named name: String) -> ClusterRoute? {
        if primary.name == name {
            return primary
        }
        return backups.first { $0.name == name }
    }
}

extension FailoverStateStore {
    /// Unknown: a store without ZooKeeper has only this host's clock.
    public func modifiedAt(of table: String) -> Int64? { nil }
}

import FailoverPolicy
import Foundation
import Logging
import PegasusWire
import RouteModel
import Router
import ZooKeeper

extension FailoverAdmin {
    /// The data of the global pause node (``FailoverPaths/paused``): who paused, when, why.
    ///
    /// JSON (keys sorted, ISO 8601 date): `{"at": "2025-01-01T10:00:00Z", "by": "cli:alice@host1",
    /// "identity": {OperatorIdentity}, "reason": "maintenance"}`; `reason` is absent when none was
    /// given, `identity` in nodes written before it existed. The node's existence is what pauses automation; its
    /// data is informational, so a node with unreadable data still pauses (shown with `by` `unknown`).
    public struct GlobalPause: Codable, Hashable, Sendable {
        /// Who paused.
        public var by: String
        /// When; `nil` when the node's data is unreadable.
        public var at: Date?
        /// Why, if given.
        public var reason: String?
        /// Who paused: OS user, ZooKeeper identity, host, pid.
        public var identity: OperatorIdentity?

        /// Creates a pause record.
        public init(by: String, at: Date?, reason: String?, identity: OperatorIdentity? = nil) {
            self.by = by
            self.at = at
            self.reason = reason
            self.identity = identity
        }
    }

    /// The global pause, or `nil` when automation is not paused globally.
    public func globalPause() async throws(FailoverAdminError) -> GlobalPause? {
        guard let (data, _) = try await read(paths.paused) else {
            return nil
        }
        do {
            return try FailoverJSON.makeDecoder().decode(GlobalPause.self, from: Data(data))
        } catch {
            return GlobalPause(by: "unknown", at: nil, reason: "unreadable pause node: \(String(decoding: data, as: UTF8.self))")
        }
    }

    /// Pauses automation for every table by creating ``FailoverPaths/paused``.
    /// - Parameter reason: Why, stored in the node.
    /// - Returns: The pause in force, and whether this call created it (`false`: it was already paused
    ///   and is left as it was).
    public func pauseAll(reason: String?) async throws(FailoverAdminError) -> (pause: GlobalPause, created: Bool) {
        let pause = GlobalPause(by: operatorName, at: clock(), reason: reason, identity: identity)
        let data: [UInt8]
        do {
            data = Array(try FailoverJSON.makeEncoder().encode(pause))
        } catch {
            throw FailoverAdminError(.malformedNode, path: paths.paused, message: "encoding the pause: \(error)")
        }
        try await ensureRoot()
        // The node may vanish (a concurrent resume) between a failed create and the read: try again.
        for _ in 0..<3 {
            do {
                _ = try await client.create(paths.paused, data: data, acl: failoverACL, createParents: true)
                audit("automation paused globally", table: nil)
                return (pause, true)
            } catch {
                guard error.code == .nodeExists else {
                    throw FailoverAdminError(.zooKeeper, path: paths.paused, message: "creating \(paths.paused): \(error)")
                }
            }
            if let existing = try await globalPause() {
                return (existing, false)
            }
        }
        throw FailoverAdminError(
            .conflict, path: paths.paused, message: "the global pause node keeps appearing and vanishing; retry")
    }

    /// Resumes automation globally by deleting ``FailoverPaths/paused``.
    /// - Returns: The pause that was removed, or `nil` when automation was not paused globally.
    public func resumeAll() async throws(FailoverAdminError) -> GlobalPause? {
        guard let existing = try await globalPause() else {
            return nil
        }
        do {
            try await client.delete(paths.paused)
        } catch {
            guard error.code == .noNode else {
                throw FailoverAdminError(.zooKeeper, path: paths.paused, message: "deleting \(paths.paused): \(error)")
            }
        }
        audit("automation resumed globally", table: nil)
        return existing
    }

    /// Pauses automation for `table` (``FailoverPolicy/EffectiveRoute/paused``, compare-and-set).
    /// A table that was never switched gets a document on its declared primary.
    /// - Returns: Whether it was paused before, and the document after.
    public func pause(table: String) async throws(FailoverAdminError) -> (wasPaused: Bool, after: EffectiveRoute) {
        let route = try await declaredRoute(table)
        return try await setPaused(true, route: route, stored: try await storedRoute(table))
    }

    /// Resumes automation for `table`.
    /// - Returns: Whether it was paused before, and the document after (`nil` when the table has none:
    ///   it was never switched nor paused).
    public func resume(table: String) async throws(FailoverAdminError) -> (wasPaused: Bool, after: EffectiveRoute?) {
        let route = try await declaredRoute(table)
        guard let stored = try await storedRoute(table) else {
            return (false, nil)
        }
        let result = try await setPaused(false, route: route, stored: stored)
        return (result.wasPaused, result.after)
    }

    private func setPaused(
        _ paused: Bool,
        route: Route,
        stored: StoredRoute?
    ) async throws(FailoverAdminError) -> (wasPaused: Bool, after: EffectiveRoute) {
        var document = stored?.document ?? initialDocument(route, now: clock())
        let wasPaused = document.paused
        guard wasPaused != paused else {
            return (wasPaused, document)
        }
        document.paused = paused
        document.pauseChangedBy = "\(identity.operatorName) (\(identity.osUser), zk \(identity.zooKeeperIdentity), "
            + "\(identity.host) pid \(identity.pid))"
        document.pauseChangedAt = clock()
        try await write(document, expecting: stored?.version)
        audit(paused ? "automation paused" : "automation resumed", table: route.table)
        return (wasPaused, document)
    }

    /// The audit line of an operator action: who (operator, OS user, ZooKeeper identity, host, pid).
    func audit(_ message: Logger.Message, table: String?) {
        var metadata: Logger.Metadata = [
            FailoverLoggingKeys.operatorName: "\(identity.operatorName)",
            FailoverLoggingKeys.osUser: "\(identity.osUser)",
            FailoverLoggingKeys.zooKeeperIdentity: "\(identity.zooKeeperIdentity)",
            FailoverLoggingKeys.host: "\(identity.host)",
            FailoverLoggingKeys.pid: "\(identity.pid)",
        ]
        if let table {
            metadata[FailoverLoggingKeys.table] = "\(table)"
        }
        logger.notice(message, metadata: metadata)
    }
}

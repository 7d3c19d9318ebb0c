import FailoverPolicy
import Logging
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension FailoverAdmin {
    /// The data of a table's planned switchover lock (``FailoverPaths/plannedLock(of:)``): who holds
    /// it, since when, and a token that tells the holder its own node after a lost reply.
    public struct PlannedLockHolder: Codable, Hashable, Sendable {
        /// The holder.
        public var by: OperatorIdentity
        /// What it is doing: `switch`, `resume` or `abort`.
        public var action: String
        /// When it took the lock.
        public var since: Date
        /// A random token of this holding.
        public var token: String

        /// Creates a holder.
        public init(by: OperatorIdentity, action: String, since: Date, token: String) {
            self.by = by
            self.action = action
            self.since = since
            self.token = token
        }
    }

    /// Takes the table's planned switchover lock (an ephemeral node: a crashed holder's lock goes
    /// with its ZooKeeper session), runs `body`, and releases it.
    ///
    /// A connection loss while creating the node is settled by reading it back: the lock is ours when
    /// the node holds our token.
    /// - Throws: ``FailoverAdminError/Code/locked`` naming the holder when another process holds it;
    ///   what `body` throws.
    func withPlannedLock<T>(
        _ table: String,
        action: String,
        _ body: () async throws(FailoverAdminError) -> T
    ) async throws(FailoverAdminError) -> T {
        let path = paths.plannedLock(of: table)
        let holder = PlannedLockHolder(by: identity, action: action, since: clock(), token: UUID().uuidString)
        let data: [UInt8]
        do {
            data = Array(try FailoverJSON.makeEncoder().encode(holder))
        } catch {
            throw FailoverAdminError(.malformedNode, table: table, path: path, message: "encoding the lock: \(error)")
        }
        try await ensureRoot()
        try await acquire(path, table: table, data: data, token: holder.token)
        let result: T
        do throws(FailoverAdminError) {
            result = try await body()
        } catch {
            await release(path, table: table)
            throw error
        }
        await release(path, table: table)
        return result
    }

    private func acquire(_ path: String, table: String, data: [UInt8], token: String) async throws(FailoverAdminError) {
        for attempt in 0..<Self.connectionLossRetries {
            do {
                _ = try await client.create(path, data: data, mode: .ephemeral, acl: failoverACL, createParents: true)
                return
            } catch where error.code == .nodeExists || Self.isConnectionLoss(error.code) {
                if Self.isConnectionLoss(error.code) {
                    await Self.backOff(attempt)
                }
                // Read back: our own create may have been applied before its reply was lost.
                let existing: (data: [UInt8], stat: ZooKeeperStat)?
                do throws(FailoverAdminError) {
                    existing = try await read(path)
                } catch {
                    continue
                }
                guard let existing else { continue }  // released meanwhile: try again
                let other = try? FailoverJSON.makeDecoder().decode(PlannedLockHolder.self, from: Data(existing.data))
                if other?.token == token {
                    return
                }
                let who = other.map { "\($0.by) (\($0.by.operatorName)), \($0.action) since \($0.since.ISO8601Format())" }
                    ?? "an unknown holder (unreadable lock data)"
                throw FailoverAdminError(
                    .locked, table: table, path: path,
                    message: "another planned switchover operation on \(table) is running: held by \(who); "
                        + "wait for it to finish (the lock goes away when its process exits)")
            } catch {
                throw FailoverAdminError(.zooKeeper, table: table, path: path, message: "creating \(path): \(error)")
            }
        }
        throw FailoverAdminError(.zooKeeper, table: table, path: path, message: "creating \(path): ZooKeeper unreachable")
    }

    private func release(_ path: String, table: String) async {
        do {
            try await client.delete(path)
        } catch {
            // A lost session already removed it; otherwise it goes when the session closes.
            logger.debug(
                "releasing the planned switchover lock failed",
                metadata: [FailoverLoggingKeys.table: "\(table)", FailoverLoggingKeys.zkPath: "\(path)"])
        }
    }
}

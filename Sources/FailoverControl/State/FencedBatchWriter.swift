import ZooKeeper

/// Writes many nodes with few ZooKeeper multi-ops, every node still compare-and-set and every
/// multi-op still fenced by the decider's election node (``DeciderFence``).
///
/// The items are cut into chunks of at most ``Limits/operations`` nodes and ``Limits/bytes`` bytes
/// (ZooKeeper refuses a request above `jute.maxbuffer`, 1 MB by default). Each chunk is one multi:
/// *check* the election node, then a create (no node expected) or a versioned set per item.
///
/// A multi is atomic, so one item whose compare-and-set fails (another writer changed the node)
/// would fail the whole chunk. ZooKeeper names the failed operation: that item alone is answered
/// ``Outcome/rejected(_:)`` and the chunk is sent again without it, so one conflict never loses the
/// others. A failed *check* (or an expired session) answers every item not yet written
/// ``Outcome/fenced(_:)`` and sends nothing more: a decider that lost its election writes nothing.
/// A request error without an operation (a connection loss: the outcome is unknown) answers the
/// chunk's items ``Outcome/unknown(_:)``; later chunks are still tried.
struct FencedBatchWriter: Sendable {
    /// The bounds of one multi-op.
    struct Limits: Sendable, Hashable {
        /// The most nodes written by one multi-op.
        var operations = 100
        /// The most data bytes written by one multi-op (well under ZooKeeper's 1 MB `jute.maxbuffer`).
        var bytes = 512 * 1024
    }

    /// One node to write.
    struct Item: Sendable, Hashable {
        /// The node.
        var path: String
        /// Its new data.
        var data: [UInt8]
        /// The version it must have; `nil`: it must not exist (it is created).
        var version: Int32?
    }

    /// What happened to one item.
    enum Outcome: Sendable {
        /// Written; the node's new version.
        case written(version: Int32)
        /// Its own operation was refused (`badVersion`, `nodeExists`, `noNode`, `noAuth`, …); nothing written.
        case rejected(ZooKeeperError)
        /// The fence failed (the election node is gone, or its session expired); nothing written.
        case fenced(ZooKeeperError)
        /// The request failed as a whole (e.g. a connection loss); the outcome is unknown.
        case unknown(ZooKeeperError)
    }

    let client: ZooKeeperClient
    var limits = Limits()

    /// Writes `items` in chunks.
    /// - Parameters:
    ///   - items: The nodes, each compare-and-set on its own version (or created).
    ///   - fence: The decider's election node, checked by every multi; `nil` for none.
    ///   - parent: The directory the items are created in: made once (with its parents) when a create
    ///     finds it missing, then the chunk is sent again.
    /// - Returns: One outcome per item, in order.
    func write(_ items: [Item], fence: DeciderFence?, parent: String) async -> [Outcome] {
        var outcomes = [Outcome?](repeating: nil, count: items.count)
        var madeParent = false
        var start = 0
        while start < items.count {
            var end = start
            var bytes = 0
            while end < items.count, end - start < max(1, limits.operations),
                end == start || bytes + items[end].data.count <= limits.bytes
            {
                bytes += items[end].data.count
                end += 1
            }
            var remaining = Array(start..<end)
            while !remaining.isEmpty {
                var operations: [ZooKeeperOperation] = []
                if let fence {
                    operations.append(.check(path: fence.electionNode, version: -1))
                }
                let offset = operations.count
                for index in remaining {
                    let item = items[index]
                    if let version = item.version {
                        operations.append(.set(path: item.path, data: item.data, version: version))
                    } else {
                        operations.append(.create(path: item.path, data: item.data))
                    }
                }
                do throws(ZooKeeperError) {
                    let results = try await client.multi(operations)
                    for (position, index) in remaining.enumerated() {
                        var version: Int32 = 0
                        if offset + position < results.count, case .set(let stat) = results[offset + position] {
                            version = stat.version
                        }
                        outcomes[index] = .written(version: version)
                    }
                    remaining = []
                } catch {
                    if fence != nil, error.failedOperation == 0 || error.code == .sessionExpired {
                        // Nothing of this chunk was written, and nothing more is sent.
                        return outcomes.map { $0 ?? .fenced(error) }
                    }
                    guard let failed = error.failedOperation, failed >= offset, failed - offset < remaining.count else {
                        for index in remaining {
                            outcomes[index] = .unknown(error)
                        }
                        remaining = []
                        break
                    }
                    let index = remaining[failed - offset]
                    if items[index].version == nil, error.code == .noNode, !madeParent {
                        // A multi cannot create parents: make the directory once, then send the chunk again.
                        madeParent = true
                        do throws(ZooKeeperError) {
                            try await client.create(parent, createParents: true)
                        } catch {}
                        continue
                    }
                    outcomes[index] = .rejected(error)
                    remaining.remove(at: failed - offset)
                }
            }
            start = end
        }
        return outcomes.map { $0 ?? .unknown(ZooKeeperError(.systemError, detail: "not written")) }
    }
}

extension FencedBatchWriter.Outcome {
    /// Whether the node was written.
    var isWritten: Bool {
        if case .written = self { return true }
        return false
    }

    /// Whether the request failed as a whole (outcome unknown).
    var isUnknown: Bool {
        if case .unknown = self { return true }
        return false
    }
}

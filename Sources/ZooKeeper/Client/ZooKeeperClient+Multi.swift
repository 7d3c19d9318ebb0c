import CZooKeeper

extension ZooKeeperClient {
    /// Runs `operations` as one atomic transaction (`zoo_amulti`): either all take effect or none does.
    ///
    /// A ``ZooKeeperOperation/check(path:version:)`` makes the transaction depend on a node without changing
    /// it, e.g. on an ephemeral node (version `-1`) that exists only while its owner's session lives.
    /// - Parameter operations: The operations, in order. An empty list succeeds without a request.
    /// - Returns: One result per operation, in order.
    /// - Throws: The rejected operation's error with ``ZooKeeperError/failedOperation`` (its index) and its path:
    ///   ``ZooKeeperError/Code/noNode`` (a check or set of a missing node, a create under a missing parent),
    ///   ``ZooKeeperError/Code/badVersion``, ``ZooKeeperError/Code/nodeExists``, …; or a request error
    ///   (``ZooKeeperError/Code/connectionLoss``: the outcome is unknown) without an operation index.
    @discardableResult
    public func multi(_ operations: [ZooKeeperOperation]) async throws(ZooKeeperError) -> [ZooKeeperOperationResult] {
        guard !operations.isEmpty else { return [] }
        for operation in operations {
            try Self.validate(operation.path, sequential: operation.isSequentialCreate)
            switch operation {
            case .create(_, let data, _, _), .set(_, let data, _):
                guard Int32(exactly: data.count) != nil else {
                    throw ZooKeeperError(.badArguments, path: operation.path, detail: "data of \(data.count) bytes is too large")
                }
            case .check, .delete:
                break
            }
        }
        let buffers = MultiRequestBuffers(operations, defaultACL: configuration.defaultACL)
        guard buffers.isComplete, let count = Int32(exactly: operations.count) else {
            throw ZooKeeperError(.systemError, path: operations.first?.path, detail: "allocating the multi request failed")
        }
        return try await perform(path: operations.first?.path, keepAlive: buffers) { handle, _, completionData in
            ZooKeeperHandle.multi(
                handle, count: count, ops: buffers.ops, results: buffers.results,
                completion: zooKeeperMultiCompletion, data: completionData)
        }
    }
}

import FailoverPolicy

/// One document of a batched decider write (``FailoverStateStore/write(batch:fence:)``).
public struct FailoverStateWrite: Sendable, Hashable {
    /// The new document.
    public var route: EffectiveRoute
    /// The state it replaces (compare-and-set).
    public var expecting: FailoverWriteExpectation

    /// Creates a write.
    public init(route: EffectiveRoute, expecting: FailoverWriteExpectation) {
        self.route = route
        self.expecting = expecting
    }
}

extension FailoverStateStore {
    /// One write at a time, in order; after a ``FailoverStateError/Code/fenced`` rejection the rest are
    /// not tried and answer `fenced` too. Stores that can batch override it.
    public func write(batch writes: [FailoverStateWrite], fence: DeciderFence?) async -> [Result<Int32, FailoverStateError>] {
        var results: [Result<Int32, FailoverStateError>] = []
        results.reserveCapacity(writes.count)
        var fencedBy: FailoverStateError?
        for write in writes {
            if let fencedBy {
                var error = fencedBy
                error.table = write.route.table
                results.append(.failure(error))
                continue
            }
            do throws(FailoverStateError) {
                let version: Int32
                if let fence {
                    version = try await self.write(write.route, expecting: write.expecting, fence: fence)
                } else {
                    version = try await self.write(write.route, expecting: write.expecting)
                }
                results.append(.success(version))
            } catch {
                if error.code == .fenced {
                    fencedBy = error
                }
                results.append(.failure(error))
            }
        }
        return results
    }
}

import PegasusWire
import RouteModel
import Synchronization

/// Runs at most one load per key at a time: callers that ask for a key while its load is running wait
/// for that load and all get its result, value or error.
///
/// The load runs in the task of the caller that started it, so cancelling that caller cancels the load (and
/// the waiters get whatever the load then returns or throws). Waiters themselves are not cancellable: they
/// wait for the load. Once a load has finished, the next call for the key starts a new one (results are not
/// cached; that is the caller's job).
public final class SingleFlight<Key: Hashable & Sendable, Value: Sendable, Failure: Error>: Sendable {
    private typealias Waiter = CheckedContinuation<Result<Value, Failure>?, Never>

    /// Waiters of each running load, by key; a key is present while its load runs.
    private let waitersByKey = Mutex<[Key: [Waiter]]>([:])

    /// Creates an empty single-flight group.
    public init() {}

    /// The result of `operation` for `key`, run once for all concurrent callers with that key.
    /// - Parameters:
    ///   - key: What is being loaded.
    ///   - operation: The load; runs only if no load for `key` is running.
    /// - Throws: What the (possibly shared) load threw.
    public func run(
        key: Key,
        operation: () async throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let shared: Result<Value, Failure>? = await withCheckedContinuation { (waiter: Waiter) in
            let isLeader = waitersByKey.withLock { waitersByKey -> Bool in
                if waitersByKey[key] != nil {
                    waitersByKey[key, default: []].append(waiter)
                    return false
                }
                waitersByKey[key] = []
                return true
            }
            if isLeader {
                waiter.resume(returning: nil)
            }
        }
        if let shared {
            return try shared.get()
        }

        let result: Result<Value, Failure>
        do throws(Failure) {
            result = .success(try await operation())
        } catch {
            result = .failure(error)
        }
        let waiters = waitersByKey.withLock { $0.removeValue(forKey: key) ?? [] }
        for waiter in waiters {
            waiter.resume(returning: result)
        }
        return try result.get()
    }

    /// The number of callers waiting for the running load of `key` (not counting the one running it).
    func waiterCount(for key: Key) -> Int {
        waitersByKey.withLock { $0[key]?.count ?? 0 }
    }
}

import PegasusWire
import RouteModel
import Synchronization

/// A thread-safe fan-out of values to any number of `AsyncStream` subscribers.
///
/// Every subscriber receives the values published after it subscribed, all subscribers in the same order.
/// ``finish()`` ends every stream, and streams subscribed after it are already finished.
public final class Broadcaster<Element: Sendable>: Sendable {
    private struct State {
        var subscribers: [Int: AsyncStream<Element>.Continuation] = [:]
        var nextID = 0
        var isFinished = false
    }

    private let state = Mutex(State())
    /// Held while yielding so that concurrent ``publish(_:)`` calls reach every subscriber in one order.
    /// It guards no data and is never taken while `state` is held, and `state` is never held while yielding.
    private let publishOrder = Mutex(())
    private let bufferingPolicy: AsyncStream<Element>.Continuation.BufferingPolicy

    /// Creates a broadcaster.
    /// - Parameter bufferingPolicy: How much each subscriber's stream buffers while it is not being read.
    ///   The default keeps every value, so no subscriber misses a change.
    public init(bufferingPolicy: AsyncStream<Element>.Continuation.BufferingPolicy = .unbounded) {
        self.bufferingPolicy = bufferingPolicy
    }

    /// A new stream of the values published from now on.
    public func subscribe() -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: bufferingPolicy)
        let id: Int? = state.withLock { state in
            guard !state.isFinished else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.removeSubscriber(id)
        }
        return stream
    }

    /// Sends `value` to every current subscriber.
    public func publish(_ value: Element) {
        publishOrder.withLock { _ in
            let subscribers = state.withLock { Array($0.subscribers.values) }
            for subscriber in subscribers {
                subscriber.yield(value)
            }
        }
    }

    /// Finishes every stream; later subscribers get a finished stream and later values are dropped.
    public func finish() {
        let subscribers = state.withLock { state in
            state.isFinished = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers {
            subscriber.finish()
        }
    }

    /// The number of current subscribers.
    public var subscriberCount: Int {
        state.withLock { $0.subscribers.count }
    }

    private func removeSubscriber(_ id: Int) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }
}

/// The session states of a ``ZooKeeperClient``: the current state first, then every change, ending after
/// ``SessionState/closed``. Each call to ``ZooKeeperClient/sessionStates()`` makes an independent subscriber.
///
/// A subscriber that falls more than 64 states behind loses the oldest ones.
public struct ZooKeeperSessionStates: AsyncSequence, Sendable {
    /// A session state.
    public typealias Element = SessionState
    /// The sequence never throws.
    public typealias Failure = Never

    private let stream: AsyncStream<SessionState>

    init(stream: AsyncStream<SessionState>) {
        self.stream = stream
    }

    /// Creates the iterator.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator())
    }

    /// Iterates the states.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private var base: AsyncStream<SessionState>.Iterator

        init(base: AsyncStream<SessionState>.Iterator) {
            self.base = base
        }

        /// The next state, or `nil` after ``SessionState/closed`` or when the task is cancelled.
        public mutating func next() async -> SessionState? {
            await base.next()
        }

        /// The next state, or `nil` after ``SessionState/closed`` or when the task is cancelled.
        public mutating func next(isolation actor: isolated (any Actor)?) async -> SessionState? {
            await base.next(isolation: actor)
        }
    }
}

import Metrics
import Synchronization

/// The bytes of requests read and not yet served, summed over every client connection of a
/// proxy (`server.max_buffered_request_bytes`): the incomplete frame a connection holds until its
/// last byte arrives, and the complete frames it holds until a slot frees.
///
/// Each connection reserves what it holds after a read (``reserve(_:)``, one relaxed atomic add,
/// only when what it holds changed) and gives it back as it serves or closes (``release(_:)``).
/// A reservation that would take the sum over the limit is refused: the connection asking for
/// more is closed, counted in `metaproxy_request_buffer_exhausted_total`. Lock-free; shared by
/// every event loop.
public final class RequestBufferBudget: Sendable {
    /// The most bytes all connections may hold together.
    public let limit: Int
    private let held = Atomic<Int>(0)
    private let exhausted = Atomic<Int>(0)
    private let frameTimeouts = Atomic<Int>(0)
    private let exhaustedCounter = Counter(label: "metaproxy_request_buffer_exhausted_total")
    private let frameTimeoutCounter = Counter(label: "metaproxy_frame_timeouts_total")

    /// - Parameter limit: The most request bytes all connections may hold together.
    public init(limit: Int) {
        self.limit = limit
    }

    /// Request bytes held by all connections now.
    public var heldBytes: Int { held.load(ordering: .relaxed) }
    /// Connections closed because the budget was exhausted.
    public var exhaustedCount: Int { exhausted.load(ordering: .relaxed) }
    /// Connections closed because a frame was not complete within `server.frame_timeout`.
    public var frameTimeoutCount: Int { frameTimeouts.load(ordering: .relaxed) }

    /// Takes `bytes` more; `false` (nothing taken, exhaustion counted) if that would exceed the limit.
    func reserve(_ bytes: Int) -> Bool {
        guard held.add(bytes, ordering: .relaxed).newValue > limit else { return true }
        held.subtract(bytes, ordering: .relaxed)
        exhausted.add(1, ordering: .relaxed)
        exhaustedCounter.increment()
        return false
    }

    /// Gives back `bytes` taken with ``reserve(_:)``.
    func release(_ bytes: Int) {
        held.subtract(bytes, ordering: .relaxed)
    }

    /// Counts a connection closed for a frame not complete within `server.frame_timeout`.
    func frameTimedOut() {
        frameTimeouts.add(1, ordering: .relaxed)
        frameTimeoutCounter.increment()
    }
}

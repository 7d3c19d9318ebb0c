import Synchronization

/// Whether the instance is shutting down: set when SIGTERM or SIGINT starts the graceful shutdown,
/// never cleared. While it is set `/readyz` (plain and strict) answers `503 draining`, so a load
/// balancer's health check takes the instance out before its listeners close.
public final class DrainState: Sendable {
    private let draining = Atomic<Bool>(false)

    /// A state that is not draining.
    public init() {}

    /// Whether the graceful shutdown has started.
    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    /// Marks the start of the graceful shutdown.
    public func begin() { draining.store(true, ordering: .relaxed) }
}

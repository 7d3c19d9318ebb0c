import Synchronization

/// A counter a route source advances whenever an answer it already gave may have changed, so that
/// a reader that cached the answer (``LoopUpstreams``'s per-loop table resolutions) can tell it is
/// still good with one atomic load instead of asking again.
///
/// Writers change their state first and advance the generation after (``advance()`` is a releasing
/// add); a reader loads the generation (acquiring) before reading the state it caches. A reader
/// that still sees the old generation therefore at worst uses the answer it would have got a moment
/// earlier, and one that sees the new generation also sees the new state.
public final class ChangeGeneration: Sendable {
    private let value = Atomic<UInt64>(0)

    /// Creates a generation at 0.
    public init() {}

    /// The generation now (an acquiring load).
    public var current: UInt64 { value.load(ordering: .acquiring) }

    /// Advances the generation, after the change it announces is visible (a releasing add).
    public func advance() {
        value.wrappingAdd(1, ordering: .releasing)
    }
}

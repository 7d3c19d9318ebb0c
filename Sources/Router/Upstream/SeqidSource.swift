import PegasusWire
import RouteModel

/// Hands out the proxy's own request seqids on one event loop (wrapping, never 0).
///
/// Loop-bound: one per event loop, shared by every upstream connection of that loop.
final class SeqidSource {
    private var last: Int32 = 0

    /// The next seqid.
    func next() -> Int32 {
        last = last == Int32.max ? 1 : last + 1
        return last
    }
}

@available(*, unavailable)
extension SeqidSource: Sendable {}

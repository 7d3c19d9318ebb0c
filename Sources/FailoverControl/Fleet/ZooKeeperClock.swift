import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Estimates ZooKeeper's clock (`mtime`, milliseconds since the epoch, the server's wall clock) from
/// this instance's own writes, so ages of other instances' records never depend on wall clocks of
/// different hosts agreeing.
///
/// Each write of the instance's own record returns the node's `mtime`; the clock pairs it with the
/// local monotonic instant the reply arrived (`anchor(mtime:at:)`). ZooKeeper-now is then
/// `mtime + (monotonic now − that instant)`, wrong by at most the write's round trip plus the drift
/// since the last write (at most one heartbeat). Without an anchor yet, the local wall clock stands in.
final class ZooKeeperClock: Sendable {
    private struct Anchor {
        var mtime: Int64
        var at: ContinuousClock.Instant
    }

    private let anchor = Mutex<Anchor?>(nil)

    /// Creates a clock without an anchor.
    init() {}

    /// Notes that ZooKeeper stamped a write of ours with `mtime`, whose reply arrived at `at`.
    func anchor(mtime: Int64, at: ContinuousClock.Instant) {
        anchor.withLock { $0 = Anchor(mtime: mtime, at: at) }
    }

    /// Whether an anchor exists (a write of ours has been stamped).
    var isAnchored: Bool { anchor.withLock { $0 != nil } }

    /// ZooKeeper's time at the local monotonic instant `at`, in milliseconds since the epoch.
    func now(at: ContinuousClock.Instant = ContinuousClock.now) -> Int64 {
        guard let anchor = anchor.withLock({ $0 }) else {
            return Int64((Date().timeIntervalSince1970 * 1000).rounded())
        }
        return anchor.mtime + Self.milliseconds(at - anchor.at)
    }

    /// A duration in whole milliseconds.
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

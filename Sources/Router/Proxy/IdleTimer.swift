import NIOCore
import PegasusWire
import RouteModel

/// Tells a client connection when it has had no traffic for `timeout`: its handler notes traffic
/// (``noteTraffic()``) once per read batch and once per flush, and one timer re-arms itself at
/// the last traffic plus `timeout`.
///
/// NIO's `IdleStateHandler(allTimeout:)` does the same as a pipeline handler, which puts itself on
/// the path of every read, write and flush and follows each write with a promise and a callback
/// (to note when it completed): several allocations and pipeline hops per reply. Here
/// ``ProxyConnectionHandler`` notes the traffic it sees anyway.
///
/// Loop-bound: one instance per channel, used on its event loop.
final class IdleTimer {
    private let timeout: TimeAmount
    private let eventLoop: any EventLoop
    private var lastTraffic = NIODeadline.uptimeNanoseconds(0)
    private var timer: Scheduled<Void>?
    private var onIdle: (() -> Void)?

    init(timeout: TimeAmount, eventLoop: any EventLoop) {
        self.timeout = timeout
        self.eventLoop = eventLoop
    }

    /// Starts the timer (once): `onIdle` runs when `timeout` passes without traffic, and again
    /// every further `timeout` without traffic, until ``stop()``.
    func start(onIdle: @escaping () -> Void) {
        guard self.onIdle == nil else { return }
        self.onIdle = onIdle
        lastTraffic = eventLoop.now
        schedule(at: lastTraffic + timeout)
    }

    /// Notes traffic now: the idle time starts again.
    func noteTraffic() {
        lastTraffic = eventLoop.now
    }

    /// Stops the timer for good (releases `onIdle`).
    func stop() {
        timer?.cancel()
        timer = nil
        onIdle = nil
    }

    private func schedule(at deadline: NIODeadline) {
        timer = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard let onIdle else { return }
            let due = lastTraffic + timeout
            if eventLoop.now < due {
                schedule(at: due)
                return
            }
            schedule(at: eventLoop.now + timeout)
            onIdle()
        }
    }
}

@available(*, unavailable)
extension IdleTimer: Sendable {}

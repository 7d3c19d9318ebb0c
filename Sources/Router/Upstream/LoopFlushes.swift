import NIOCore
import PegasusWire
import RouteModel

/// A connection that writes during an event loop tick and flushes once, when asked, at its end.
protocol DeferredFlushing: AnyObject {
    /// Flushes what was written since the last call.
    func flushDeferred()
}

/// The connections of one event loop with output written this tick and not yet flushed: one task
/// at the end of the tick flushes them all (client replies and upstream requests alike), instead
/// of a task per connection.
///
/// Loop-bound: created and used only on `eventLoop`.
final class LoopFlushes {
    private let eventLoop: any EventLoop
    private var pending: [any DeferredFlushing] = []
    /// The list being flushed; swapped with `pending` so neither is reallocated per tick.
    private var flushing: [any DeferredFlushing] = []
    private var scheduled = false
    /// The end-of-tick task, made once: a closure literal per tick would allocate its context each time.
    private var flushAllTask: (() -> Void)?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Flushes `connection` at the end of this tick. A connection asks once per tick (it remembers
    /// that it asked until ``DeferredFlushing/flushDeferred()`` runs).
    func flushLater(_ connection: any DeferredFlushing) {
        pending.append(connection)
        guard !scheduled else { return }
        scheduled = true
        let task: () -> Void
        if let made = flushAllTask {
            task = made
        } else {
            // Weak: the task is kept by this object, which must not keep itself alive.
            task = { [weak self] in self?.flushAll() }
            flushAllTask = task
        }
        eventLoop.assumeIsolated().execute(task)
    }

    private func flushAll() {
        scheduled = false
        swap(&pending, &flushing)
        for connection in flushing { connection.flushDeferred() }
        flushing.removeAll(keepingCapacity: true)
    }
}

@available(*, unavailable)
extension LoopFlushes: Sendable {}

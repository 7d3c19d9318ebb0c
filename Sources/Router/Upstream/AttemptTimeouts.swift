import NIOCore

/// What an ``AttemptTimeouts`` entry runs at its deadline: an object, so that adding a timeout
/// makes no closure (one per query on the data path).
protocol AttemptTimeoutTarget: AnyObject {
    /// The timeout `id` is due.
    func timedOut(_ id: AttemptTimeouts.ID)
}

/// The timeouts of the upstream attempts of one event loop, driven by one timer.
///
/// A timer per attempt is costly in NIO: cancelling a scheduled task searches the loop's timer
/// heap linearly, copying (retaining and releasing) every entry, and nearly every attempt is
/// cancelled because its reply comes first. With ~1,000 attempts in flight that search took about
/// a tenth of the proxy's user CPU. Here an attempt's timeout is a dictionary entry, settled in
/// O(1); a timer fires at the earliest deadline, runs what is due and re-arms for the next one.
///
/// Loop-bound: created and used only on `eventLoop`.
final class AttemptTimeouts {
    /// Identifies a pending timeout, to cancel it.
    struct ID: Hashable {
        fileprivate let value: UInt64
    }

    private struct Entry {
        var deadline: NIODeadline
        var target: any AttemptTimeoutTarget
    }

    /// A closure as a target (for callers off the data path).
    private final class ClosureTarget: AttemptTimeoutTarget {
        let onTimeout: () -> Void
        init(_ onTimeout: @escaping () -> Void) { self.onTimeout = onTimeout }
        func timedOut(_ id: ID) { onTimeout() }
    }

    private let eventLoop: any EventLoop
    private var entries: [ID: Entry] = [:]
    private var lastID: UInt64 = 0
    /// The earliest deadline a scheduled timer will fire at; later timers may also be pending.
    private var armedAt: NIODeadline?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Runs `onTimeout` at `deadline` unless ``cancel(_:)`` comes first.
    func add(deadline: NIODeadline, onTimeout: @escaping () -> Void) -> ID {
        add(deadline: deadline, target: ClosureTarget(onTimeout))
    }

    /// Calls `target.timedOut(id)` at `deadline` unless ``cancel(_:)`` comes first.
    func add(deadline: NIODeadline, target: any AttemptTimeoutTarget) -> ID {
        lastID &+= 1
        let id = ID(value: lastID)
        entries[id] = Entry(deadline: deadline, target: target)
        if armedAt.map({ deadline < $0 }) ?? true {
            arm(at: deadline)
        }
        return id
    }

    /// Cancels a timeout; nothing happens if it already ran.
    func cancel(_ id: ID) {
        entries.removeValue(forKey: id)
    }

    /// Schedules a timer at `deadline`. An earlier timer is not cancelled (that is the linear search
    /// this type avoids): when it fires it finds nothing due and re-arms.
    private func arm(at deadline: NIODeadline) {
        armedAt = deadline
        eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            fire(armedFor: deadline)
        }
    }

    private func fire(armedFor deadline: NIODeadline) {
        if armedAt == deadline { armedAt = nil }
        let now = eventLoop.now
        var due: [ID] = []
        var next: NIODeadline?
        for (id, entry) in entries {
            if entry.deadline <= now {
                due.append(id)
            } else if next.map({ entry.deadline < $0 }) ?? true {
                next = entry.deadline
            }
        }
        if let next, armedAt.map({ next < $0 }) ?? true {
            arm(at: next)
        }
        for id in due {
            entries.removeValue(forKey: id)?.target.timedOut(id)
        }
    }
}

@available(*, unavailable)
extension AttemptTimeouts: Sendable {}

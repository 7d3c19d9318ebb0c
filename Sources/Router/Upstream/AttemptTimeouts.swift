import NIOCore
import PegasusWire
import RouteModel

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
/// a tenth of the proxy's user CPU. Here an attempt's timeout is a slot in an array (reused through
/// a free list; a generation per slot tells a stale ID from the slot's next use), added and
/// cancelled in O(1) without hashing; a timer fires at the earliest deadline, runs what is due and
/// re-arms for the next one.
///
/// Loop-bound: created and used only on `eventLoop`.
final class AttemptTimeouts {
    /// Identifies a pending timeout, to cancel it.
    struct ID: Hashable {
        fileprivate let slot: UInt32
        fileprivate let generation: UInt32
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

    private struct Slot {
        /// Bumped each time the slot is emptied, so an old ID no longer matches.
        var generation: UInt32 = 0
        var entry: Entry?
    }

    private let eventLoop: any EventLoop
    private var slots: [Slot] = []
    /// Indices of empty slots, reused last-freed first.
    private var freeSlots: [Int] = []
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
        let index: Int
        if let reused = freeSlots.popLast() {
            index = reused
        } else {
            index = slots.count
            slots.append(Slot())
        }
        slots[index].entry = Entry(deadline: deadline, target: target)
        let id = ID(slot: UInt32(truncatingIfNeeded: index), generation: slots[index].generation)
        if armedAt.map({ deadline < $0 }) ?? true {
            arm(at: deadline)
        }
        return id
    }

    /// Cancels a timeout; nothing happens if it already ran. (Nearly every attempt ends here, so
    /// the entry is dropped in place rather than copied out as ``remove(_:)`` does.)
    func cancel(_ id: ID) {
        let index = Int(id.slot)
        guard index < slots.count, slots[index].generation == id.generation, slots[index].entry != nil else { return }
        free(index)
    }

    /// Empties `id`'s slot; its entry, or `nil` when it already ran or was cancelled.
    private func remove(_ id: ID) -> Entry? {
        let index = Int(id.slot)
        guard index < slots.count, slots[index].generation == id.generation, let entry = slots[index].entry else {
            return nil
        }
        free(index)
        return entry
    }

    /// Empties slot `index` for reuse.
    private func free(_ index: Int) {
        slots[index].entry = nil
        slots[index].generation &+= 1
        freeSlots.append(index)
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
        for index in slots.indices {
            guard let entry = slots[index].entry else { continue }
            if entry.deadline <= now {
                due.append(ID(slot: UInt32(truncatingIfNeeded: index), generation: slots[index].generation))
            } else if next.map({ entry.deadline < $0 }) ?? true {
                next = entry.deadline
            }
        }
        if let next, armedAt.map({ next < $0 }) ?? true {
            arm(at: next)
        }
        for id in due {
            remove(id)?.target.timedOut(id)
        }
    }
}

@available(*, unavailable)
extension AttemptTimeouts: Sendable {}

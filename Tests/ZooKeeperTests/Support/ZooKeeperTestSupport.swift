import NIOConcurrencyHelpers
import ZooKeeper

// The test server, its clients and `eventually` are TestSupport's (`TestZooKeeper`); these helpers are
// the ZooKeeper client's own: recording callbacks and session states.

/// A list appended to from several tasks or threads.
final class Collector<Element: Sendable>: Sendable {
    private let elements = NIOLockedValueBox<[Element]>([])

    /// Appends `element`.
    /// - Returns: The list so far.
    @discardableResult
    func append(_ element: Element) -> [Element] {
        elements.withLockedValue { elements in
            elements.append(element)
            return elements
        }
    }

    /// The elements so far.
    var all: [Element] { elements.withLockedValue { $0 } }
}

/// Records the calls of a watch callback.
final class WatchRecorder: Sendable {
    private let recorded = Collector<WatchEvent>()

    /// The callback to pass as `watch:`.
    var callback: @Sendable (WatchEvent) -> Void {
        { [recorded] event in recorded.append(event) }
    }

    /// The events so far.
    var events: [WatchEvent] { recorded.all }
}

/// Collects states from `states` until `predicate` accepts the collected list or `timeout` passes.
/// - Returns: The states collected.
func collectStates(
    _ states: ZooKeeperSessionStates,
    within timeout: Duration = .seconds(30),
    until predicate: @escaping @Sendable ([SessionState]) -> Bool
) async -> [SessionState] {
    let collected = Collector<SessionState>()
    await withTaskGroup(of: Void.self) { group in
        group.addTask {
            for await state in states {
                if predicate(collected.append(state)) {
                    return
                }
            }
        }
        group.addTask {
            // Only bounds a failing test: the collection normally ends with `predicate`.
            try? await Task.sleep(for: timeout)
        }
        await group.next()
        group.cancelAll()
    }
    return collected.all
}

extension Array where Element == SessionState {
    /// Whether `sequence` occurs in order (not necessarily adjacent).
    func containsInOrder(_ sequence: [SessionState]) -> Bool {
        var remaining = sequence[...]
        for state in self where state == remaining.first {
            remaining = remaining.dropFirst()
            if remaining.isEmpty {
                return true
            }
        }
        return remaining.isEmpty
    }
}

import NIOConcurrencyHelpers

/// Per-handle state that the C client's callbacks reach through pointers: one `SessionContext` per `zhandle_t`.
///
/// `zookeeper_init2` gets it as the handle context (an unretained pointer), so the global watcher and
/// `zoo_get_context` find it. It outlives the handle: ``ZooKeeperHandle`` holds it strongly until `zookeeper_close`
/// has returned and the C threads are joined.
///
/// It keeps two registries:
/// - requests submitted on this handle and not yet completed, so that those the C client drops during
///   `zookeeper_close` (it can: `do_completion` stops once `close_requested` is set, and `destroy` does not run the
///   queued fake `ZCLOSING` replies in the threaded library) are completed with ``ZooKeeperError/Code/closing`` and
///   released by ``drainAfterClose(failing:)`` instead of leaking or hanging;
/// - watches, keyed by a token that is the C watcher context. The C client may call a watcher any number of
///   times with `ZOO_SESSION_EVENT` (`collect_session_watchers` copies every registered watcher into each session
///   event) and frees its watcher objects in `destroy` without calling them, so the token never points to memory:
///   a watch is removed exactly once — on its first node event, when the session expires, or after close — and
///   any later call with its token finds nothing.
final class SessionContext: Sendable {
    /// A registered watch.
    struct Watch: Sendable {
        let path: String
        let callback: @Sendable (WatchEvent) -> Void
    }

    private struct Registry {
        var nextToken: UInt = 1
        var watches: [UInt: Watch] = [:]
        var pending: [ObjectIdentifier: any AbandonableCompletion] = [:]

        /// Removes all watches; returns those not belonging to a pending (so never armed) request.
        mutating func takeArmedWatches() -> [Watch] {
            for completion in pending.values {
                if let token = completion.watchToken {
                    watches[token] = nil
                }
            }
            defer { watches.removeAll() }
            return Array(watches.values)
        }
    }

    /// How many sessions the client had created when it created this one; events of older generations are stale.
    let generation: Int
    /// Called on the C completion thread for each session event of this handle.
    let onSessionEvent: @Sendable (_ context: SessionContext, _ cState: Int32, _ sessionID: Int64) -> Void
    private let registry = NIOLockedValueBox(Registry())

    init(
        generation: Int,
        onSessionEvent: @escaping @Sendable (_ context: SessionContext, _ cState: Int32, _ sessionID: Int64) -> Void
    ) {
        self.generation = generation
        self.onSessionEvent = onSessionEvent
    }

    /// Registers a watch.
    /// - Returns: The token to pass as the C watcher context.
    func registerWatch(path: String, callback: @escaping @Sendable (WatchEvent) -> Void) -> UInt {
        registry.withLockedValue { registry in
            let token = registry.nextToken
            registry.nextToken += 1
            registry.watches[token] = Watch(path: path, callback: callback)
            return token
        }
    }

    /// How many watches are registered (armed, or with their request in flight).
    var watchCount: Int {
        registry.withLockedValue { $0.watches.count }
    }

    /// Removes a watch without calling it (its request failed, so the C client never armed it).
    func dropWatch(_ token: UInt) {
        _ = registry.withLockedValue { $0.watches.removeValue(forKey: token) }
    }

    /// Delivers a node event to a watch and removes it. Does nothing if the watch is already gone.
    func fireWatch(_ token: UInt, type: WatchEvent.EventType, state: SessionState) {
        guard let watch = registry.withLockedValue({ $0.watches.removeValue(forKey: token) }) else { return }
        watch.callback(WatchEvent(type: type, path: watch.path, state: state))
    }

    /// The session expired: ends every armed watch with a `session` event in state
    /// ``SessionState/expired``. Watches of requests still pending were never armed (replies and events are
    /// delivered in order on the completion thread, so a pending request got no reply) and are dropped; those
    /// requests fail with `ZSESSIONEXPIRED` next.
    func expire() {
        let watches = registry.withLockedValue { $0.takeArmedWatches() }
        for watch in watches {
            watch.callback(WatchEvent(type: .session, path: watch.path, state: .expired))
        }
    }

    /// Records a request whose completion the C client now owns.
    func track(_ completion: any AbandonableCompletion) {
        registry.withLockedValue { $0.pending[ObjectIdentifier(completion)] = completion }
    }

    /// Forgets a request: its completion ran, or the C call failed at once.
    func untrack(_ completion: any AbandonableCompletion) {
        _ = registry.withLockedValue { $0.pending.removeValue(forKey: ObjectIdentifier(completion)) }
    }

    /// Completes whatever the C client did not, after `zookeeper_close` returned (no callback can run any more).
    /// Requests fail with `code` (their watches were never armed and are dropped); the remaining watches get a
    /// final `session` event in state ``SessionState/closed``.
    /// - Returns: How many requests the C client had dropped.
    @discardableResult
    func drainAfterClose(failing code: ZooKeeperError.Code) -> Int {
        let (pending, watches) = registry.withLockedValue { registry in
            let watches = registry.takeArmedWatches()
            defer { registry.pending.removeAll() }
            return (Array(registry.pending.values), watches)
        }
        for completion in pending {
            completion.abandon(code: code)
        }
        for watch in watches {
            watch.callback(WatchEvent(type: .session, path: watch.path, state: .closed))
        }
        return pending.count
    }
}

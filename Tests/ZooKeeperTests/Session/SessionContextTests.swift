import Testing

@testable import ZooKeeper

/// The callback bookkeeping without a C handle: exactly-once watches and exactly-once release of request boxes.
@Suite("SessionContext and CompletionBox bookkeeping")
struct SessionContextTests {
    private func makeContext() -> SessionContext {
        SessionContext(generation: 1) { _, _, _ in }
    }

    @Test("a watch fires once; later calls with its token do nothing")
    func watchFiresOnce() {
        let context = makeContext()
        let recorder = WatchRecorder()
        let token = context.registerWatch(path: "/a", callback: recorder.callback)
        context.fireWatch(token, type: .dataChanged, state: .connected)
        context.fireWatch(token, type: .deleted, state: .connected)
        context.expire()
        context.drainAfterClose(failing: .closing)
        #expect(recorder.events == [WatchEvent(type: .dataChanged, path: "/a", state: .connected)])
    }

    @Test("expiry ends armed watches once with session/expired")
    func expiryEndsWatches() {
        let context = makeContext()
        let recorder = WatchRecorder()
        let token = context.registerWatch(path: "/a", callback: recorder.callback)
        context.expire()
        context.fireWatch(token, type: .dataChanged, state: .connected)
        context.drainAfterClose(failing: .closing)
        #expect(recorder.events == [WatchEvent(type: .session, path: "/a", state: .expired)])
    }

    @Test("the close sweep fails dropped requests, releases their boxes, and ends only armed watches")
    func drainReleasesDroppedRequests() async {
        let context = makeContext()
        let armed = WatchRecorder()
        _ = context.registerWatch(path: "/armed", callback: armed.callback)
        let unarmed = WatchRecorder()
        let token = context.registerWatch(path: "/pending", callback: unarmed.callback)

        let operation = PendingOperation<NodeData>()
        weak var weakBox: CompletionBox<NodeData>?
        do {
            let box = CompletionBox(operation: operation, context: context, path: "/pending", watch: (token, .data))
            weakBox = box
            context.track(box)
            // The retain the C client would hold.
            _ = Unmanaged.passRetained(box)
        }
        #expect(weakBox != nil)

        #expect(context.drainAfterClose(failing: .closing) == 1)
        #expect(weakBox == nil)
        let result = await operation.result(path: "/pending")
        #expect(throws: ZooKeeperError(.closing, path: "/pending")) { try result.get() }
        #expect(armed.events == [WatchEvent(type: .session, path: "/armed", state: .closed)])
        #expect(unarmed.events.isEmpty)
        #expect(context.drainAfterClose(failing: .closing) == 0)
    }

    @Test("a completed request is released by its completion and untouched by the sweep")
    func completionReleasesBox() async {
        let context = makeContext()
        let operation = PendingOperation<ZooKeeperStat?>()
        weak var weakBox: CompletionBox<ZooKeeperStat?>?
        do {
            let box = CompletionBox(operation: operation, context: context, path: "/x", watch: nil)
            weakBox = box
            context.track(box)
            let retained = Unmanaged.passRetained(box)
            // What the completion trampoline does.
            retained.takeRetainedValue().finish(returnCode: ZooKeeperError.Code.noNode.rawValue, .success(nil))
        }
        #expect(weakBox == nil)
        #expect(context.drainAfterClose(failing: .closing) == 0)
        let result = await operation.result(path: "/x")
        #expect(throws: Never.self) { try result.get() }
    }

    @Test("a pending operation delivers its first result only, before or after the wait starts")
    @available(macOS 26.0, *)  // Task.immediate
    func pendingOperationFirstResultWins() async {
        let early = PendingOperation<Int>()
        early.complete(.success(1))
        early.complete(.success(2))
        #expect(early.isCompleted)
        #expect((try? await early.result(path: nil).get()) == 1)

        let late = PendingOperation<Int>()
        // Runs synchronously up to its suspension: it waits when `complete` is called.
        let waiter = Task.immediate { await late.result(path: nil) }
        late.complete(.success(3))
        late.complete(.failure(ZooKeeperError(.closing)))
        #expect((try? await waiter.value.get()) == 3)
    }

    @Test("cancelling the waiting task fails the operation with cancelled")
    @available(macOS 26.0, *)  // Task.immediate
    func pendingOperationCancellation() async {
        let operation = PendingOperation<Int>()
        // Runs synchronously up to its suspension: it waits when it is cancelled.
        let task = Task.immediate { await operation.result(path: "/c") }
        #expect(!operation.isCompleted)
        task.cancel()
        let result = await task.value
        #expect(throws: ZooKeeperError(.cancelled, path: "/c")) { try result.get() }
        operation.complete(.success(1))
        #expect(operation.isCompleted)
    }
}

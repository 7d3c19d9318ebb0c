import CZooKeeper
import TestSupport
import Testing

@testable import ZooKeeper

/// A transaction on a handle whose session already expired. The C client's `zoo_amulti` would free an
/// uninitialised pointer for every operation after the first (all fail its path check in that state):
/// a decider that wrote its fenced batch just as its session expired died of `free(): double free`.
@Suite("zoo_amulti on an expired session", .serialized, .timeLimit(.minutes(3)))
struct MultiOnExpiredSessionTests {
    @Test("a transaction on an expired handle is refused before the C client builds it")
    func refusedOnExpiredHandle() async throws {
        try await TestZooKeeper.withClient { observer, root in
            try await observer.create(root)
            try await TCPRelay.withRelay(to: try TestZooKeeper.address()) { relay in
                let context = SessionContext(generation: 1) { _, _, _ in }
                let configuration = ZooKeeperConfiguration(hosts: [relay.address], sessionTimeout: .milliseconds(1000))
                let handle = try ZooKeeperHandle.open(configuration: configuration, context: context, auths: []).get()
                defer { _ = handle.close(failing: .closing) }
                #expect(await eventually(within: .seconds(60)) { zoo_state(handle.pointer) == ZOO_CONNECTED_STATE })

                // Cut off well past the session timeout: the server expires the session; once the handle
                // reconnects it learns so and stays expired (the client would replace it; this test keeps it).
                relay.cut()
                try await Task.sleep(for: .seconds(5))
                relay.restore()
                #expect(await eventually(within: .seconds(60)) { zoo_state(handle.pointer) == ZOO_EXPIRED_SESSION_STATE })

                let buffers = MultiRequestBuffers(
                    [
                        .check(path: root, version: -1), .set(path: root, data: [1], version: -1),
                        .set(path: root, data: [2], version: -1),
                    ],
                    defaultACL: .openUnsafe)
                #expect(buffers.isComplete)
                // The completion never runs for a refused request; the data pointer is never read.
                var unused: UInt8 = 0
                let rc = withUnsafeMutablePointer(to: &unused) { data in
                    ZooKeeperHandle.multi(
                        handle.pointer, count: 3, ops: buffers.ops, results: buffers.results,
                        completion: zooKeeperMultiCompletion, data: data)
                }
                // The C client itself answers ZMARSHALLINGERROR here, after freeing garbage.
                #expect(rc == ZINVALIDSTATE.rawValue)
                #expect(handle.submissionError(returnCode: rc, path: root).code == .sessionExpired)
            }
            #expect(try await observer.get(root).data == [])
        }
    }
}

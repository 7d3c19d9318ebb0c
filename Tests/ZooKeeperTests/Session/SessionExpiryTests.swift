import TestSupport
import Testing
import ZooKeeper

@Suite("ZooKeeperClient session expiry", .serialized, .timeLimit(.minutes(3)))
struct SessionExpiryTests {
    @Test("after the server expires the session the client reports expired and works on a new session")
    func expiredSessionIsReplaced() async throws {
        try await TestZooKeeper.withClient { observer, root in
            try await TCPRelay.withRelay(to: try TestZooKeeper.address()) { relay in
                let client = try TestZooKeeper.client(
                    hosts: [relay.address],
                    sessionTimeout: .milliseconds(1500),
                    auth: .digest("bob:pw")
                )
                try await client.connect()
                let oldSession = try #require(client.sessionID)
                try await observer.create(root)
                let ephemeral = root + "/ephemeral"
                try await client.create(ephemeral, mode: .ephemeral)
                let owned = root + "/owned"
                try await client.create(owned, data: [9], acl: .creatorAll)
                let watch = WatchRecorder()
                _ = try await client.get(ephemeral, watch: watch.callback)

                let states = client.sessionStates()
                async let seen = collectStates(states, within: .seconds(90)) {
                    $0.containsInOrder([.expired, .connected])
                }

                // Cut the client off; the server expires the session after its timeout and deletes its ephemeral
                // node. Then let the client reconnect: the server tells it the session expired.
                relay.cut()
                #expect(
                    await eventually(within: .seconds(60)) { (try? await observer.exists(ephemeral)) == .some(nil) }
                )
                relay.restore()

                let observed = await seen
                #expect(observed.containsInOrder([.connected, .disconnected, .expired, .connected]))
                #expect(client.sessionState == .connected)
                let newSession = try #require(client.sessionID)
                #expect(newSession != oldSession)
                #expect(watch.events == [WatchEvent(type: .session, path: ephemeral, state: .expired)])

                // The new session works, has the configured credentials again, and the old ephemeral node is gone.
                #expect(try await client.exists(ephemeral) == nil)
                #expect(try await client.get(owned).data == [9])
                try await client.create(ephemeral, mode: .ephemeral)
                #expect(try await observer.exists(ephemeral)?.ephemeralOwner == newSession)
                await client.close()
            }
        }
    }
}

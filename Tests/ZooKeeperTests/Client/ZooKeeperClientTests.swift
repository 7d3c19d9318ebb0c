import TestSupport
import Testing
import ZooKeeper

@Suite("ZooKeeperClient against a real server", .serialized, .timeLimit(.minutes(2)))
struct ZooKeeperClientTests {
    @Test("connect reaches the connected state with a session id")
    func connect() async throws {
        let client = try TestZooKeeper.client()
        #expect(client.sessionState == .disconnected)
        try await client.connect()
        #expect(client.sessionState == .connected)
        #expect(client.sessionID != nil)
        await client.close()
        #expect(client.sessionState == .closed)
    }

    @Test("create, get, set and delete a node")
    func createGetSetDelete() async throws {
        try await TestZooKeeper.withClient { client, root in
            #expect(try await client.create(root, data: Array("hello".utf8)) == root)
            let read = try await client.get(root)
            #expect(read.data == Array("hello".utf8))
            #expect(read.stat.version == 0)
            #expect(read.stat.dataLength == 5)
            #expect(!read.stat.isEphemeral)

            let stat = try await client.set(root, data: [1, 2, 3])
            #expect(stat.version == 1)
            #expect(try await client.get(root).data == [1, 2, 3])

            try await client.set(root, data: [])
            #expect(try await client.get(root).data == [])

            try await client.delete(root)
            #expect(try await client.exists(root) == nil)
        }
    }

    @Test("create with createParents makes the missing ancestors")
    func createWithParents() async throws {
        try await TestZooKeeper.withClient { (client: ZooKeeperClient, root: String) async throws in
            let leaf = root + "/a/b/c"
            let error = await #expect(throws: ZooKeeperError.self) {
                try await client.create(leaf, data: [7])
            }
            #expect(error?.code == .noNode)

            #expect(try await client.create(leaf, data: [7], createParents: true) == leaf)
            #expect(try await client.exists(root + "/a/b") != nil)
            #expect(try await client.get(leaf).data == [7])
            // Existing ancestors are fine.
            #expect(try await client.create(root + "/a/x", createParents: true) == root + "/a/x")
        }
    }

    @Test("set with a stale version fails with badVersion")
    func compareAndSetConflict() async throws {
        try await TestZooKeeper.withClient { client, root in
            try await client.create(root, data: [0])
            let first = try await client.get(root).stat
            let second = try await client.set(root, data: [1], version: first.version)
            #expect(second.version == first.version + 1)

            let error = await #expect(throws: ZooKeeperError.self) {
                try await client.set(root, data: [2], version: first.version)
            }
            #expect(error?.code == .badVersion)
            #expect(error?.path == root)
            #expect(try await client.get(root).data == [1])

            let deleteError = await #expect(throws: ZooKeeperError.self) {
                try await client.delete(root, version: first.version)
            }
            #expect(deleteError?.code == .badVersion)
        }
    }

    @Test("noNode, nodeExists and notEmpty name the path")
    func errorsCarryPath() async throws {
        try await TestZooKeeper.withClient { client, root in
            let missing = root + "/missing"
            let noNode = await #expect(throws: ZooKeeperError.self) { try await client.get(missing) }
            #expect(noNode?.code == .noNode)
            #expect(noNode?.path == missing)
            #expect(noNode?.description.contains(missing) == true)
            #expect(noNode?.description.contains("-101") == true)

            try await client.create(root)
            let exists = await #expect(throws: ZooKeeperError.self) { try await client.create(root) }
            #expect(exists?.code == .nodeExists)
            #expect(exists?.path == root)

            try await client.create(root + "/child")
            let notEmpty = await #expect(throws: ZooKeeperError.self) { try await client.delete(root) }
            #expect(notEmpty?.code == .notEmpty)
            #expect(notEmpty?.path == root)

            let badPath = await #expect(throws: ZooKeeperError.self) { try await client.get("relative") }
            #expect(badPath?.code == .badArguments)
        }
    }

    @Test("a data watch fires once per arming: on set, on delete, not again without re-arming")
    func dataWatchFiresOnce() async throws {
        try await TestZooKeeper.withClient { client, root in
            try await client.create(root, data: [0])

            let first = WatchRecorder()
            _ = try await client.get(root, watch: first.callback)
            try await client.set(root, data: [1])
            #expect(await eventually { first.events.count == 1 })
            #expect(first.events == [WatchEvent(type: .dataChanged, path: root, state: .connected)])

            // A second change with no new arming must not reach the first watch. Events arrive in order on the C
            // completion thread, so once a watch armed after this change has fired, a late call would have happened.
            try await client.set(root, data: [2])
            let barrier = WatchRecorder()
            _ = try await client.get(root, watch: barrier.callback)
            try await client.set(root, data: [3])
            #expect(await eventually { barrier.events.count == 1 })
            #expect(first.events.count == 1)

            let onDelete = WatchRecorder()
            _ = try await client.get(root, watch: onDelete.callback)
            try await client.delete(root)
            #expect(await eventually { onDelete.events.count == 1 })
            #expect(onDelete.events == [WatchEvent(type: .deleted, path: root, state: .connected)])
            #expect(barrier.events.count == 1)
        }
    }

    @Test("an exists watch on a missing node fires on create")
    func existsWatchFiresOnCreate() async throws {
        try await TestZooKeeper.withClient { client, root in
            let recorder = WatchRecorder()
            #expect(try await client.exists(root, watch: recorder.callback) == nil)
            try await client.create(root, data: [1])
            #expect(await eventually { recorder.events.count == 1 })
            #expect(recorder.events.first?.type == .created)
            #expect(recorder.events.first?.path == root)
            #expect(try await client.exists(root)?.dataLength == 1)
        }
    }

    @Test("a watch on a failed request is never armed nor called")
    func watchOfFailedRequestIsDropped() async throws {
        try await TestZooKeeper.withClient { client, root in
            let recorder = WatchRecorder()
            await #expect(throws: ZooKeeperError.self) { try await client.get(root, watch: recorder.callback) }
            try await client.create(root)
            try await client.set(root, data: [1])
            try await client.delete(root)
            await client.close()
            #expect(recorder.events.isEmpty)
        }
    }

    @Test("children lists names and a child watch fires on a new child")
    func childrenAndChildWatch() async throws {
        try await TestZooKeeper.withClient { client, root in
            try await client.create(root)
            #expect(try await client.children(root).isEmpty)
            try await client.create(root + "/a")
            try await client.create(root + "/b")
            #expect(try await client.children(root).sorted() == ["a", "b"])

            let recorder = WatchRecorder()
            _ = try await client.children(root, watch: recorder.callback)
            try await client.create(root + "/c")
            #expect(await eventually { recorder.events.count == 1 })
            #expect(recorder.events == [WatchEvent(type: .childrenChanged, path: root, state: .connected)])
            #expect(try await client.children(root).sorted() == ["a", "b", "c"])
        }
    }

    @Test("an ephemeral node disappears when its session closes")
    func ephemeralDisappearsAfterClose() async throws {
        try await TestZooKeeper.withClient { observer, root in
            try await TestZooKeeper.withClient { owner, _ in
                try await observer.create(root)
                let node = root + "/ephemeral"
                try await owner.create(node, data: [1], mode: .ephemeral)
                let stat = try #require(try await observer.exists(node))
                #expect(stat.ephemeralOwner == owner.sessionID)

                await owner.close()
                #expect(await eventually { (try? await observer.exists(node)) == .some(nil) })
            }
        }
    }

    @Test("ephemeral sequential nodes get increasing 10-digit suffixes")
    func ephemeralSequentialNames() async throws {
        try await TestZooKeeper.withClient { client, root in
            try await client.create(root)
            var created: [String] = []
            for _ in 0..<3 {
                created.append(try await client.create(root + "/member-", mode: .ephemeralSequential))
            }
            let prefix = root + "/member-"
            let suffixes = created.map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : "" }
            #expect(suffixes.allSatisfy { $0.count == 10 && $0.allSatisfy(\.isNumber) })
            #expect(suffixes == suffixes.sorted())
            #expect(Set(suffixes).count == 3)
            #expect(try await client.exists(created[0])?.isEphemeral == true)
        }
    }

    @Test("creatorAll with digest auth: no access without the credentials, access with them")
    func digestAuthCreatorAll() async throws {
        try await TestZooKeeper.withClient(auth: .digest("alice:secret")) { owner, root in
            try await TestZooKeeper.withClient { stranger, _ in
                try await TestZooKeeper.withClient { impostor, _ in
                    try await owner.create(root, data: [42], acl: .creatorAll)
                    #expect(try await owner.get(root).data == [42])

                    let readError = await #expect(throws: ZooKeeperError.self) { try await stranger.get(root) }
                    #expect(readError?.code == .noAuth)
                    #expect(readError?.path == root)
                    let writeError = await #expect(throws: ZooKeeperError.self) {
                        try await stranger.set(root, data: [0])
                    }
                    #expect(writeError?.code == .noAuth)

                    try await impostor.addAuth(digest: "alice:wrong")
                    let impostorError = await #expect(throws: ZooKeeperError.self) { try await impostor.get(root) }
                    #expect(impostorError?.code == .noAuth)

                    try await stranger.addAuth(digest: "alice:secret")
                    #expect(try await stranger.get(root).data == [42])
                    try await stranger.set(root, data: [43])
                    #expect(try await owner.get(root).data == [43])
                }
            }
        }
    }

    @Test("getACL shows the digest id of the creator; setACL needs the admin permission and replaces the ACL")
    func getAndSetACL() async throws {
        try await TestZooKeeper.withClient(auth: .digest("alice:secret")) { owner, root in
            try await TestZooKeeper.withClient { stranger, _ in
                try await owner.create(root, data: [1], acl: .readOnlyWorldCreatorAll)
                // sha1("alice:secret") in base64, as ZooKeeper's DigestAuthenticationProvider computes it.
                let alice = ZooKeeperACL.Entry(
                    scheme: "digest", id: "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=", permissions: .all)
                let expected = ZooKeeperACL([ZooKeeperACL.Entry(scheme: "world", id: "anyone", permissions: .read), alice])
                #expect(try await owner.getACL(root) == expected)
                // Without the admin permission ZooKeeper hides digest hashes (ZOOKEEPER-1392): `alice:x`.
                let hidden = try await stranger.getACL(root)
                #expect(hidden.entries.first == expected.entries.first)
                #expect(hidden.entries.last?.id.hasPrefix("alice:") == true)
                #expect(hidden.entries.last?.id != alice.id, "\(hidden)")

                let denied = await #expect(throws: ZooKeeperError.self) {
                    try await stranger.setACL(root, acl: .openUnsafe)
                }
                #expect(denied?.code == .noAuth)
                #expect(denied?.path == root)
                let stale = await #expect(throws: ZooKeeperError.self) {
                    try await owner.setACL(root, acl: .openUnsafe, version: 7)
                }
                #expect(stale?.code == .badVersion)

                try await owner.setACL(root, acl: .openUnsafe, version: 0)
                #expect(try await stranger.getACL(root) == .openUnsafe)
                #expect(try await stranger.exists(root)?.aversion == 1)
                try await stranger.set(root, data: [2])

                let missing = await #expect(throws: ZooKeeperError.self) { try await owner.getACL(root + "/none") }
                #expect(missing?.code == .noNode)
                #expect(missing?.path == root + "/none")
            }
        }
    }

    @Test("credentials never show in descriptions or mirrors")
    func authIsRedacted() {
        let auth = ZooKeeperAuth.digest("alice:s3cret")
        let shown = "\(auth)" + String(reflecting: auth) + String(describing: Mirror(reflecting: auth).children.map(\.value))
            + "\(ZooKeeperConfiguration(hosts: ["127.0.0.1:1"], auth: auth))"
        #expect(!shown.contains("s3cret"))
        #expect("\(auth)" == "digest:<redacted>")
    }

    @Test("every session-state subscriber sees connecting, connected and finally closed")
    func sessionStatesSequence() async throws {
        let client = try TestZooKeeper.client()
        let early = client.sessionStates()
        async let earlyStates = collectStates(early) { $0.last == .closed }
        try await client.connect()
        let late = client.sessionStates()
        async let lateStates = collectStates(late) { $0.last == .closed }
        // No pause before closing: each subscription buffers its states from the moment it is made.
        await client.close()

        let seenEarly = await earlyStates
        let seenLate = await lateStates
        #expect(seenEarly.containsInOrder([.disconnected, .connecting, .connected, .closed]))
        #expect(seenLate.first == .connected)
        #expect(seenLate.last == .closed)

        // After close a subscription yields `closed` and ends.
        var afterClose: [SessionState] = []
        for await state in client.sessionStates() {
            afterClose.append(state)
        }
        #expect(afterClose == [.closed])
    }

    @Test("connecting to a dead port fails with operationTimeout after the connect timeout")
    func connectToDeadPortTimesOut() async throws {
        let port = try await TestNetwork.freePort()
        let client = try TestZooKeeper.client(hosts: ["127.0.0.1:\(port)"], connectTimeout: .seconds(1))
        let error = await #expect(throws: ZooKeeperError.self) { try await client.connect() }
        #expect(error?.code == .operationTimeout)
        #expect(client.sessionState != .connected)
        await client.close()
        #expect(client.sessionState == .closed)
    }

    @Test("requests before connect and after close fail with typed errors")
    func requestsOutsideTheSession() async throws {
        let client = try TestZooKeeper.client()
        let early = await #expect(throws: ZooKeeperError.self) { try await client.exists("/") }
        #expect(early?.code == .invalidState)
        try await client.connect()
        #expect(try await client.exists("/") != nil)
        async let firstClose: Void = client.close()
        async let secondClose: Void = client.close()
        _ = await (firstClose, secondClose)
        let late = await #expect(throws: ZooKeeperError.self) { try await client.exists("/") }
        #expect(late?.code == .closing)
        let reconnect = await #expect(throws: ZooKeeperError.self) { try await client.connect() }
        #expect(reconnect?.code == .closing)
    }

    @Test("close resumes requests in flight with closing and ends armed watches")
    func closeWithRequestsInFlight() async throws {
        try await TestZooKeeper.withClient { observer, root in
            try await TCPRelay.withRelay(to: try TestZooKeeper.address()) { relay in
                let client = try TestZooKeeper.client(hosts: [relay.address], sessionTimeout: .seconds(30))
                try await client.connect()
                try await client.create(root, data: [1])
                let armed = WatchRecorder()
                _ = try await client.get(root, watch: armed.callback)

                // From now on the server never answers: every request stays in flight.
                relay.blackhole()
                let unarmed = WatchRecorder()
                let cancelled = Task { try await client.get(root) }
                let outcomes = Collector<ZooKeeperError.Code?>()
                await withTaskGroup(of: Void.self) { group in
                    for index in 0..<12 {
                        group.addTask {
                            let code: ZooKeeperError.Code?
                            do throws(ZooKeeperError) {
                                switch index % 4 {
                                case 0: _ = try await client.get(root, watch: unarmed.callback)
                                case 1: try await client.create(root + "/n\(index)")
                                case 2: try await client.set(root, data: [2])
                                default: _ = try await client.children(root)
                                }
                                code = nil
                            } catch {
                                code = error.code
                            }
                            outcomes.append(code)
                        }
                    }
                    // Real server and relay: give the requests time to reach the C client before closing,
                    // which exercises the close sweep (the outcome is the same either way, so no flakiness).
                    try? await Task.sleep(for: .milliseconds(300))
                    cancelled.cancel()
                    await client.close()
                }
                let codes = outcomes.all
                #expect(codes.count == 12)
                #expect(codes.allSatisfy { $0 == .closing })
                let cancelledError = await #expect(throws: ZooKeeperError.self) { try await cancelled.value }
                #expect(cancelledError?.code == .cancelled)
                #expect(armed.events == [WatchEvent(type: .session, path: root, state: .closed)])
                #expect(unarmed.events.isEmpty)
                // The request never reached the server.
                #expect(try await observer.get(root).data == [1])
            }
        }
    }
}

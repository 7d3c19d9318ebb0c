import TestSupport
import Testing
import ZooKeeper

@Suite("ZooKeeperClient.multi against a real server", .serialized, .timeLimit(.minutes(2)))
struct ZooKeeperMultiTests {
    @Test("check, create, set and delete commit together and report each result")
    func commits() async throws {
        try await TestZooKeeper.withClient { client, root in
            try await client.create(root)
            try await client.create(root + "/guard", data: [1])
            try await client.create(root + "/data", data: [0])
            try await client.create(root + "/old")
            let results = try await client.multi([
                .check(path: root + "/guard", version: -1),
                .create(path: root + "/seq-", data: [9], mode: .persistentSequential, acl: nil),
                .set(path: root + "/data", data: [7, 7], version: 0),
                .delete(path: root + "/old", version: -1),
            ])
            #expect(results.count == 4)
            #expect(results[0] == .checked)
            guard case .created(let created) = results[1] else {
                Issue.record("expected created, got \(results[1])")
                return
            }
            #expect(created.hasPrefix(root + "/seq-") && created.count == (root + "/seq-").count + 10)
            #expect(try await client.get(created).data == [9])
            guard case .set(let stat) = results[2] else {
                Issue.record("expected set, got \(results[2])")
                return
            }
            #expect(stat.version == 1)
            #expect(stat.dataLength == 2)
            #expect(try await client.get(root + "/data").data == [7, 7])
            #expect(results[3] == .deleted)
            #expect(try await client.exists(root + "/old") == nil)
            #expect(try await client.multi([]).isEmpty)
        }
    }

    @Test("a failed check rejects the whole transaction and names the operation")
    func checkFails() async throws {
        try await TestZooKeeper.withClient { client, root in
            try await client.create(root)
            try await client.create(root + "/data", data: [0])
            let error = await #expect(throws: ZooKeeperError.self) {
                try await client.multi([
                    .set(path: root + "/data", data: [1], version: -1),
                    .check(path: root + "/missing", version: -1),
                    .create(path: root + "/new", data: []),
                ])
            }
            #expect(error?.code == .noNode)
            #expect(error?.failedOperation == 1)
            #expect(error?.path == root + "/missing")
            // Nothing took effect: not the set before the check, not the create after it.
            let data = try await client.get(root + "/data")
            #expect(data.data == [0])
            #expect(data.stat.version == 0)
            #expect(try await client.exists(root + "/new") == nil)
        }
    }

    @Test("a stale version or an existing node fails its own operation")
    func versionAndExistence() async throws {
        try await TestZooKeeper.withClient { client, root in
            try await client.create(root)
            try await client.create(root + "/data", data: [0])
            try await client.set(root + "/data", data: [1])
            let stale = await #expect(throws: ZooKeeperError.self) {
                try await client.multi([
                    .check(path: root + "/data", version: 1),
                    .set(path: root + "/data", data: [2], version: 0),
                ])
            }
            #expect(stale?.code == .badVersion)
            #expect(stale?.failedOperation == 1)
            let checkVersion = await #expect(throws: ZooKeeperError.self) {
                try await client.multi([.check(path: root + "/data", version: 0)])
            }
            #expect(checkVersion?.code == .badVersion)
            #expect(checkVersion?.failedOperation == 0)
            let exists = await #expect(throws: ZooKeeperError.self) {
                try await client.multi([
                    .check(path: root + "/data", version: 1),
                    .create(path: root + "/data", data: []),
                ])
            }
            #expect(exists?.code == .nodeExists)
            #expect(exists?.failedOperation == 1)
            #expect(try await client.get(root + "/data").data == [1])
        }
    }

    @Test("an ephemeral node of an expired session no longer satisfies a check")
    func ephemeralFence() async throws {
        try await TestZooKeeper.withClient { client, root in
            try await client.create(root)
            try await client.create(root + "/route", data: [0])
            let owner = try await TestZooKeeper.connectedClient(sessionTimeout: .seconds(4))
            let fence = try await owner.create(root + "/fence-", data: [], mode: .ephemeralSequential)
            try await client.multi([.check(path: fence, version: -1), .set(path: root + "/route", data: [1], version: 0)])
            await owner.close()
            #expect(try await eventually { try await client.exists(fence) == nil })
            let error = await #expect(throws: ZooKeeperError.self) {
                try await client.multi([.check(path: fence, version: -1), .set(path: root + "/route", data: [2], version: 1)])
            }
            #expect(error?.code == .noNode)
            #expect(error?.failedOperation == 0)
            #expect(try await client.get(root + "/route").data == [1])
        }
    }

    @Test("paths are validated before anything is sent, also those the C client rejects after the first operation")
    func badPath() async throws {
        try await TestZooKeeper.withClient { client, root in
            try await client.create(root)
            try await client.create(root + "/a", data: [0])
            let error = await #expect(throws: ZooKeeperError.self) {
                try await client.multi([.check(path: "relative", version: -1)])
            }
            #expect(error?.code == .badArguments)
            // The C client's zoo_amulti frees an uninitialised pointer for the operations after one whose path
            // it rejects: such a path never reaches it.
            for bad in [root + "/a/../a", root + "//a", root + "/a/", root + "/./a", root + "/a\u{1}"] {
                let error = await #expect(throws: ZooKeeperError.self) {
                    try await client.multi([
                        .check(path: root, version: -1), .set(path: bad, data: [1], version: -1),
                        .set(path: root + "/a", data: [2], version: -1),
                    ])
                }
                #expect(error?.code == .badArguments, "\(bad)")
                #expect(error?.path == bad)
            }
            #expect(try await client.get(root + "/a").data == [0])
        }
    }
}

import HealthProbe
import PegasusWire
import Testing

@Suite("MetaServer HTTP probes over loopback", .serialized, .timeLimit(.minutes(2)))
struct MetaHTTPProbeTests {
    @Test("/version parses Version and GitCommit")
    func version() async throws {
        try await withFakeCluster(count: 1) { cluster in
            let version = try await withHTTPClient { client in
                try await MetaHTTPProbe(client: client, timeout: .seconds(5)).version(meta: cluster.metas[0])
            }
            #expect(version == MetaVersion(version: "2.5.0", gitCommit: "0123abcd"))
        }
    }

    @Test("/meta/cluster: the leader answers 200 with primary_meta_server, a follower 307 to the leader")
    func clusterLeaderAndFollower() async throws {
        try await withFakeCluster(count: 2) { cluster in
            try await withHTTPClient { client in
                let probe = MetaHTTPProbe(client: client, timeout: .seconds(5))
                let fromLeader = try await probe.cluster(meta: cluster.metas[0])
                guard case .answered(let info) = fromLeader else {
                    Issue.record("leader did not answer: \(fromLeader)")
                    return
                }
                #expect(info.primaryMetaServer == cluster.metas[0])
                #expect(info.metaServers == cluster.metas)
                #expect(info.metaFunctionLevel == "steady")
                #expect(try await probe.cluster(meta: cluster.metas[1]) == .redirected(leader: cluster.metas[0]))
            }
        }
    }

    @Test(
        "/meta/cluster 307 Location parsing",
        arguments: [
            ("http://meta9:34601/meta/cluster", "meta9:34601"),
            ("http://10.0.0.7:34601/meta/cluster?detail=", "10.0.0.7:34601"),
            ("http://invalid host_port/meta/cluster", nil),
            ("http://meta9/meta/cluster", nil),
            ("http://meta9:0/meta/cluster", nil),
            ("meta9:34601", nil),
            ("", nil),
        ] as [(String, String?)]
    )
    func redirectLocation(location: String, leader: String?) async throws {
        try await withServer({ _, _ in .text(307, "", headers: [("Location", location)]) }) { server in
            let reply = try await withHTTPClient { client in
                try await MetaHTTPProbe(client: client, timeout: .seconds(5)).cluster(meta: server.address)
            }
            #expect(reply == .redirected(leader: leader))
        }
    }

    @Test("/meta/cluster with another status is unexpectedStatus; a bad address is invalidURL")
    func clusterErrors() async throws {
        try await withServer({ _, _ in .text(500, "ERR_SERVICE_NOT_ACTIVE") }) { server in
            try await withHTTPClient { client in
                let probe = MetaHTTPProbe(client: client, timeout: .seconds(5))
                let error = await probeError { () async throws(ProbeError) in
                    try await probe.cluster(meta: server.address)
                }
                #expect(error?.code == .unexpectedStatus)
                #expect(error?.status == 500)
                let bad = await probeError { () async throws(ProbeError) in try await probe.cluster(meta: "meta1/x:1") }
                #expect(bad?.code == .invalidURL)
            }
        }
    }

    @Test("/meta/app parses the general section")
    func app() async throws {
        try await withFakeCluster(count: 1) { cluster in
            let reply = try await withHTTPClient { client in
                try await MetaHTTPProbe(client: client, timeout: .seconds(5)).app(meta: cluster.metas[0], table: "temp")
            }
            #expect(reply == .answered(MetaAppInfo(appName: "temp", appId: 2, partitionCount: 2, maxReplicaCount: 3)))
            #expect(cluster.servers[0].receivedRequests == ["/meta/app?name=temp"])
        }
    }

    @Test("/meta/app/duplication parses the master example")
    func duplicationMaster() async throws {
        try await withFakeCluster(count: 2) { cluster in
            try await withHTTPClient { client in
                let probe = MetaHTTPProbe(client: client, timeout: .seconds(5))
                let reply = try await probe.duplication(meta: cluster.metas[0], table: "temp")
                let expected = TableDuplications(
                    appId: 2,
                    entries: [
                        DuplicationEntry(
                            dupid: 1_700_000_000,
                            status: .log,
                            remote: "tjsrv",
                            failMode: .slow,
                            remoteAppName: "temp",
                            partitionStates: [
                                0: DuplicationPartitionState(confirmedDecree: 95, lastCommittedDecree: 100),
                                1: DuplicationPartitionState(confirmedDecree: 200, lastCommittedDecree: 200),
                            ]
                        )
                    ]
                )
                #expect(reply == .answered(expected))
                #expect(
                    try await probe.duplication(meta: cluster.metas[1], table: "temp")
                        == .redirected(leader: cluster.metas[0]))
            }
        }
    }

    @Test("/meta/app/duplication: null, list order by position, -1 kept, v2.5 shape without partition states")
    func duplicationShapes() async throws {
        try await withFakeCluster(count: 1) { cluster in
            try await withHTTPClient { client in
                let probe = MetaHTTPProbe(client: client, timeout: .seconds(5))
                let meta = cluster.metas[0]

                cluster.setDuplicationBody("null\n")
                #expect(try await probe.duplication(meta: meta, table: "temp") == .answered(TableDuplications()))

                cluster.setDuplicationBody(PegasusFixtures.duplicationTwoEntries)
                guard case .answered(let two) = try await probe.duplication(meta: meta, table: "temp") else {
                    Issue.record("no answer")
                    return
                }
                #expect(two.appId == 5)
                #expect(two.entries.map(\.dupid) == [1_700_000_000, 1_700_050_000])
                #expect(two.entries.map(\.status) == [.pause, .log])
                #expect(two.entries[1].failMode == .skip)
                #expect(
                    two.entries[1].partitionStates?[0]
                        == DuplicationPartitionState(confirmedDecree: -1, lastCommittedDecree: 7))
                #expect(two.entries[1].partitionStates?[0]?.lag == nil)
                #expect(two.entries[1].partitionStates?[1]?.lag == 0)

                cluster.setDuplicationBody(PegasusFixtures.duplicationV25)
                guard case .answered(let old) = try await probe.duplication(meta: meta, table: "temp") else {
                    Issue.record("no answer")
                    return
                }
                #expect(old.entries.count == 1)
                #expect(old.entries[0].partitionStates == nil)
                #expect(old.entries[0].remoteAppName == nil)

                cluster.setDuplicationBody(#"{"1":{"dupid":"not a number"}}"#)
                let error = await probeError { () async throws(ProbeError) in
                    try await probe.duplication(meta: meta, table: "temp")
                }
                #expect(error?.code == .invalidResponse)
            }
        }
    }

    @Test("/replica/duplication parses dupid → gpid → state; 404 is empty")
    func replicaDuplication() async throws {
        let route: TestHTTPServer.Route = { _, query in
            query == "appid=2"
                ? .text(200, PegasusFixtures.replicaDuplication) : .text(404, "no primary for app [appid=3]")
        }
        try await withServer(route) { server in
            try await withHTTPClient { client in
                let probe = MetaHTTPProbe(client: client, timeout: .seconds(5))
                let states = try await probe.replicaDuplication(replica: server.address, appId: 2)
                #expect(
                    states == [
                        1_700_000_000: [
                            Gpid(appId: 2, partitionIndex: 0): ReplicaDuplicationState(
                                duplicating: true,
                                failMode: .slow,
                                notConfirmedMutations: 5,
                                notDuplicatedMutations: 2,
                                remoteAppName: "temp"
                            ),
                            Gpid(appId: 2, partitionIndex: 3): ReplicaDuplicationState(
                                duplicating: false,
                                failMode: .skip,
                                notConfirmedMutations: 0,
                                notDuplicatedMutations: 0
                            ),
                        ]
                    ]
                )
                #expect(try await probe.replicaDuplication(replica: server.address, appId: 3).isEmpty)
            }
        }
    }

    @Test("HTTPDuplicationSource follows one redirect and adds the partition count")
    func httpDuplicationSource() async throws {
        try await withFakeCluster(count: 2) { cluster in
            let outcome = try await withHTTPClient { client in
                await HTTPDuplicationSource(client: client).queryDuplications(
                    cluster: "bjsrv",
                    metas: [cluster.metas[1], cluster.metas[0]],
                    table: "temp",
                    timeout: .seconds(5)
                )
            }
            guard case .answered(let report) = outcome else {
                Issue.record("no answer: \(outcome)")
                return
            }
            #expect(report.partitionCount == 2)
            #expect(report.entries.count == 1)
            #expect(cluster.servers[1].receivedRequests == ["/meta/app/duplication?name=temp"])
            #expect(cluster.servers[0].receivedRequests == ["/meta/app/duplication?name=temp", "/meta/app?name=temp"])
        }
    }
}

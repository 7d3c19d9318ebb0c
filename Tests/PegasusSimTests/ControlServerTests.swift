import PegasusSim
import PegasusWire
import Testing

@Suite("Control server", .timeLimit(.minutes(1)))
struct ControlServerTests {
    @Test("control endpoints change the cluster and report stats")
    func endpoints() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let control = try await SimControlServer.start(cluster: cluster)
            let connection = try await TestConnection.connect(control.address)
            func call(_ target: String) async throws -> TestHTTPResponse {
                try await connection.send(http: target)
                return try await connection.httpResponse()
            }

            #expect(try await call("/leader?index=2").body == "ok")
            #expect(cluster.stats().metas.map(\.leader) == [false, false, true])
            #expect(try await call("/leader?index=-1").status == 200)
            #expect(cluster.stats().metas.allSatisfy { !$0.leader })
            #expect(try await call("/leader?index=7").status == 400)
            #expect(try await call("/leader").status == 400)

            #expect(try await call("/kill?meta=9").status == 400)
            #expect(try await call("/kill?meta=1").body == "ok")
            await #expect(throws: (any Error).self) { _ = try await TestConnection.connect(cluster.metaAddresses[1]) }
            #expect(try await call("/revive?meta=1").body == "ok")
            await (try await TestConnection.connect(cluster.metaAddresses[1])).close()

            #expect(try await call("/write?table=t1&n=12").status == 200)
            #expect(
                try await call("/duplication?table=t1&remote=simB&status=DS_PAUSE&fail_mode=FAIL_SKIP&lag=5").status
                    == 200)
            let entry = try #require(cluster.duplications(table: "t1").entries.first)
            #expect(entry.status == .pause && entry.failMode == .skip)
            #expect(entry.partitionStates?[0] == DuplicationPartitionState(confirmedDecree: 7, lastCommittedDecree: 12))
            #expect(try await call("/advance-duplication?table=t1").status == 200)
            #expect(cluster.duplications(table: "t1").entries.first?.partitionStates?[0]?.confirmedDecree == 12)
            #expect(try await call("/duplication?table=t1&remote=simB&status=DS_BOGUS").status == 400)
            #expect(try await call("/duplication?table=t1&remote=simB&status=none").status == 200)
            #expect(cluster.duplications(table: "t1").entries.isEmpty)

            #expect(try await call("/no-primary?table=t2&pidx=1").status == 200)
            #expect(cluster.queryConfiguration(table: "t2").partitions[1].primary == .invalid)
            #expect(try await call("/restore-primary?table=t2&pidx=1").status == 200)
            #expect(try await call("/hang?meta=0").status == 200)
            #expect(cluster.stats().metas[0].hung)
            #expect(try await call("/unhang?meta=0").status == 200)
            #expect(try await call("/latency?ms=20").status == 200)
            #expect(cluster.stats().metas.allSatisfy { $0.latencyMilliseconds == 20 })

            let stats = try await call("/stats")
            let document = try #require(try json(stats.body) as? [String: [[String: Any]]])
            #expect(document["metas"]?.count == 3 && document["replicas"]?.count == 3)
            #expect(document["metas"]?[0]["address"] as? String == cluster.metaAddresses[0])
            #expect(try await call("/reset-stats").status == 200)
            #expect(cluster.stats().metas.allSatisfy { $0.http == 0 && $0.requests == 0 })

            #expect(try await call("/kill-all").status == 200)
            #expect(cluster.stats().replicas.allSatisfy { !$0.alive })
            #expect(try await call("/revive-all").status == 200)
            #expect(cluster.stats().metas.allSatisfy { $0.alive })
            #expect(try await call("/nope").status == 404)

            await connection.close()
            await control.stop()
        }
    }

    @Test("the summary line names the cluster, addresses and tables")
    func summary() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let line = cluster.summaryJSON(controlAddress: "127.0.0.1:1")
            let document = try #require(try json(line) as? [String: Any])
            #expect(document["cluster"] as? String == "simA")
            #expect(document["metas"] as? [String] == cluster.metaAddresses)
            #expect(document["replicas"] as? [String] == cluster.replicaAddresses)
            #expect(document["control"] as? String == "127.0.0.1:1")
            let tables = try #require(document["tables"] as? [String: [String: Int]])
            #expect(tables == ["t1": ["app_id": 1, "partition_count": 8], "t2": ["app_id": 2, "partition_count": 4]])
        }
    }
}

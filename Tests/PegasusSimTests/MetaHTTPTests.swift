import PegasusSim
import PegasusWire
import Testing

@Suite("MetaServer HTTP", .timeLimit(.minutes(1)))
struct MetaHTTPTests {
    @Test("/version is answered by every MetaServer, as text/plain JSON of strings")
    func version() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            for address in cluster.metaAddresses {
                let response = try await get(address, "/version")
                #expect(response.status == 200)
                #expect(response.headers["content-type"] == "text/plain")
                #expect(response.body == "{\"Version\":\"2.5.0-sim\",\"GitCommit\":\"sim\"}\n")
            }
        }
    }

    @Test("/meta/cluster: 200 on the leader, 307 to the leader on a follower, invalid host_port without leader")
    func metaCluster() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            try cluster.setLeader(1)
            let leader = try await get(cluster.metaAddresses[1], "/meta/cluster")
            #expect(leader.status == 200)
            let info = try #require(try json(leader.body) as? [String: String])
            #expect(info["primary_meta_server"] == cluster.metaAddresses[1])
            #expect(info["cluster_name"] == nil)
            #expect(leader.body.hasPrefix("{\"meta_servers\":"))

            let follower = try await get(cluster.metaAddresses[0], "/meta/cluster")
            #expect(follower.status == 307)
            #expect(follower.body.isEmpty)
            #expect(follower.headers["location"] == "http://\(cluster.metaAddresses[1])/meta/cluster")

            try cluster.setLeader(nil)
            let orphan = try await get(cluster.metaAddresses[0], "/meta/cluster")
            #expect(orphan.status == 307)
            #expect(orphan.headers["location"] == "http://invalid host_port/meta/cluster")
        }
    }

    @Test("/meta/app and /meta/apps on the leader; a follower redirects with the parameters")
    func metaApp() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let app = try await get(cluster.metaAddresses[0], "/meta/app?name=t2")
            #expect(app.status == 200)
            let general = #"{"app_name":"t2","app_id":"2","partition_count":"4","max_replica_count":"3"}"#
            #expect(app.body == "{\"general\":\(general)}\n")
            let missing = try await get(cluster.metaAddresses[0], "/meta/app?name=zz")
            #expect(missing.status == 404)
            #expect(missing.body == "table not found: \"zz\"")
            #expect(try await get(cluster.metaAddresses[0], "/meta/app?name=t1&bogus=1").status == 400)

            try cluster.removePrimary(table: "t2", partition: 1)
            let detail = try await get(cluster.metaAddresses[0], "/meta/app?name=t2&detail")
            let sections = try #require(try json(detail.body) as? [String: [String: Any]])
            let healthy = try #require(sections["healthy"] as? [String: String])
            #expect(healthy["fully_healthy_partition_count"] == "3")
            #expect(healthy["read_unhealthy_partition_count"] == "1")
            let replicas = try #require(sections["replicas"] as? [String: [String: String]])
            #expect(replicas["1"]?["primary"] == "-")
            #expect(replicas["1"]?["replica_count"] == "2/3")

            let apps = try await get(cluster.metaAddresses[0], "/meta/apps")
            let list = try #require(try json(apps.body) as? [String: [String: Any]])
            #expect(Set((list["general_info"] ?? [:]).keys) == ["1", "2"])
            #expect(list["summary"]?["total_app_count"] as? String == "2")

            let redirect = try await get(cluster.metaAddresses[2], "/meta//app/?name=t2&detail")
            #expect(redirect.status == 307)
            #expect(redirect.headers["location"] == "http://\(cluster.metaAddresses[0])/meta/app?detail=&name=t2")
        }
    }

    @Test("/meta/app/duplication: nlohmann JSON with sorted keys and numbers, null without duplications")
    func duplication() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let none = try await get(cluster.metaAddresses[0], "/meta/app/duplication?name=t2")
            #expect(none.status == 200 && none.body == "null")
            let unknown = try await get(cluster.metaAddresses[0], "/meta/app/duplication?name=zz")
            #expect(unknown.status == 404 && unknown.body == "ERR_APP_NOT_EXIST")

            try cluster.write(table: "t2", count: 5)
            try cluster.setDuplication(
                table: "t2", SimDuplicationSpec(remote: "simB", progress: .confirmed([5, 4, -1])))
            let response = try await get(cluster.metaAddresses[0], "/meta/app/duplication?name=t2")
            #expect(response.status == 200)
            #expect(response.body.hasPrefix("{\"1\":{\"create_ts\":\""))
            #expect(response.body.hasSuffix(",\"appid\":2}"))
            let document = try #require(try json(response.body) as? [String: Any])
            let entry = try #require(document["1"] as? [String: Any])
            #expect(entry["remote"] as? String == "simB")
            #expect(entry["status"] as? String == "DS_LOG")
            #expect(entry["fail_mode"] as? String == "FAIL_SLOW")
            #expect(entry["remote_replica_count"] as? Int == 3)
            let states = try #require(entry["partition_states"] as? [String: [String: Int]])
            #expect(states["0"] == ["confirmed_decree": 5, "last_committed_decree": 5])
            #expect(states["2"]?["confirmed_decree"] == -1)
            #expect(states["3"]?["confirmed_decree"] == -1)

            let follower = try await get(cluster.metaAddresses[1], "/meta/app/duplication?name=t2")
            #expect(follower.status == 307)
        }
    }

    @Test("keep-alive: several requests on one connection; an unknown path is 404")
    func keepAlive() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let connection = try await TestConnection.connect(cluster.metaAddresses[0])
            for target in ["/version", "/meta/cluster", "/no/such/path", "/version"] {
                try await connection.send(http: target)
                let response = try await connection.httpResponse()
                if target == "/no/such/path" {
                    #expect(response.status == 404)
                    #expect(response.body == "service not found for \"no/such/path\"")
                } else {
                    #expect(response.status == 200)
                }
            }
            #expect(cluster.stats().metas[0].http == 4)
            #expect(cluster.stats().metas[0].requests == 0)
            await connection.close()
        }
    }

    private func get(_ address: String, _ target: String) async throws -> TestHTTPResponse {
        try await TestConnection.get(address, target)
    }
}

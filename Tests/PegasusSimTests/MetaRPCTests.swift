import NIOCore
import PegasusSim
import PegasusWire
import Testing

@Suite("MetaServer RPC", .timeLimit(.minutes(1)))
struct MetaRPCTests {
    @Test("the leader answers query config for a known table with every partition")
    func leaderKnownTable() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let connection = try await TestConnection.connect(cluster.metaAddresses[0])
            try await connection.send(Requests.queryConfig("t1", seqid: 42))
            let reply = try await connection.reply()
            #expect(reply.errorName == "ERR_OK")
            #expect(reply.message.name == "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK")
            #expect(reply.message.seqid == 42)
            let response = try reply.decodeResult(QueryConfigResponse.self)
            #expect(response.err == .ok)
            #expect(response.appId == 1)
            #expect(response.partitionCount == 8)
            #expect(response.isStateful)
            #expect(response.partitions.map(\.pid) == (0..<8).map { Gpid(appId: 1, partitionIndex: $0) })
            let replicas = Set(cluster.replicaAddresses.map(rpcAddress))
            for partition in response.partitions {
                #expect(partition.maxReplicaCount == 3)
                #expect(replicas.contains(partition.primary))
                #expect(partition.secondaries.count == 2)
                #expect(Set(partition.secondaries + [partition.primary]) == replicas)
                #expect(partition.lastDrops.isEmpty)
                #expect(partition.partitionFlags == 0)
                #expect(partition.hpPrimary == nil)
            }
            await connection.close()
        }
    }

    @Test("the leader honours valid partition_indices and ignores invalid ones")
    func partitionIndices() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let connection = try await TestConnection.connect(cluster.metaAddresses[0])
            try await connection.send(Requests.queryConfig("t1", indices: [5, 99, 2, -1]))
            let subset = try await connection.reply().decodeResult(QueryConfigResponse.self)
            #expect(subset.partitions.map(\.pid.partitionIndex) == [5, 2])
            #expect(subset.partitionCount == 8)
            try await connection.send(Requests.queryConfig("t1", indices: [99]))
            let all = try await connection.reply().decodeResult(QueryConfigResponse.self)
            #expect(all.partitions.count == 8)
            await connection.close()
        }
    }

    @Test("reply shapes: plain has fields 1-7, master adds host_port fields")
    func replyShapes() async throws {
        try await withCluster(standardConfiguration(replyShape: .plain)) { cluster in
            let connection = try await TestConnection.connect(cluster.metaAddresses[0])
            try await connection.send(Requests.queryConfig("t2"))
            let response = try await connection.reply().decodeResult(QueryConfigResponse.self)
            #expect(response.partitions.allSatisfy { $0.partitionFlags == nil && $0.hpPrimary == nil })
            await connection.close()
        }
        try await withCluster(standardConfiguration(replyShape: .master)) { cluster in
            let connection = try await TestConnection.connect(cluster.metaAddresses[0])
            try await connection.send(Requests.queryConfig("t2"))
            let response = try await connection.reply().decodeResult(QueryConfigResponse.self)
            for partition in response.partitions {
                #expect(partition.partitionFlags == 0)
                #expect(partition.hpPrimary.map { rpcAddress($0.description) } == partition.primary)
                #expect(partition.hpSecondaries?.map { rpcAddress($0.description) } == partition.secondaries)
                #expect(partition.hpLastDrops == [])
            }
            await connection.close()
        }
    }

    @Test("an unknown table gets ERR_OBJECT_NOT_FOUND, byte for byte as a MetaServer sends it")
    func unknownTable() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let connection = try await TestConnection.connect(cluster.metaAddresses[0])
            try await connection.send(Requests.queryConfig("temp", seqid: 1))
            let reply = try await connection.reply()
            #expect(reply.encodedBytes == (try Golden.bytes("resp_query_cfg_not_found.hex")))
            await connection.close()
        }
    }

    @Test(
        "a follower forwards to the leader for any table; master shape adds hp_primary",
        arguments: SimReplyShape.allCases)
    func followerForward(shape: SimReplyShape) async throws {
        try await withCluster(standardConfiguration(replyShape: shape)) { cluster in
            try cluster.setLeader(2)
            let connection = try await TestConnection.connect(cluster.metaAddresses[1])
            try await connection.send(Requests.queryConfig("no-such-table", seqid: 9, header: Requests.v1))
            let reply = try await connection.reply()
            #expect(reply.errorName == "ERR_OK")
            #expect(reply.message.seqid == 9)
            let peek = try QueryConfigResponse.peekForward(body: reply.body)
            #expect(peek.err == .forwardToOthers)
            #expect(peek.leader == rpcAddress(cluster.metaAddresses[2]))
            #expect(peek.leaderHostPort?.description == (shape == .master ? cluster.metaAddresses[2] : nil))
            let response = try reply.decodeResult(QueryConfigResponse.self)
            #expect(response.appId == 0 && response.partitionCount == 0 && !response.isStateful)
            #expect(response.partitions.count == 1)
            #expect(response.partitions.first?.pid == Gpid(appId: 0, partitionIndex: 0))
            #expect(response.partitions.first?.secondaries == [])
            #expect(response.partitions.first?.partitionFlags == (shape == .plain ? nil : 0))
            await connection.close()
        }
    }

    @Test("a follower that knows no leader forwards with no partitions")
    func followerWithoutLeader() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            try cluster.setLeader(nil)
            let connection = try await TestConnection.connect(cluster.metaAddresses[0])
            try await connection.send(Requests.queryConfig("t1"))
            let response = try await connection.reply().decodeResult(QueryConfigResponse.self)
            #expect(response.err == .forwardToOthers)
            #expect(response.partitions.isEmpty)
            #expect(
                try QueryConfigResponse.peekForward(body: try await queryReply(cluster, meta: 1).body).leader == nil)

            try cluster.setLeader(0)
            try await cluster.killMeta(0)
            let afterKill = try await queryReply(cluster, meta: 2).decodeResult(QueryConfigResponse.self)
            #expect(afterKill.err == .forwardToOthers)
            #expect(afterKill.partitions.isEmpty)
            await connection.close()
        }
    }

    @Test("list_apps on the leader lists the tables; a follower forwards without address")
    func listApps() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let leader = try await TestConnection.connect(cluster.metaAddresses[0])
            try await leader.send(Requests.make(RpcName.listApps, seqid: 2, args: ListAppsRequest(status: .available)))
            let reply = try await leader.reply()
            #expect(reply.message.name == "RPC_CM_LIST_APPS_ACK")
            let response = try reply.decodeResult(ListAppsResponse.self)
            #expect(response.err == .ok)
            #expect(response.infos.map(\.appName) == ["t1", "t2"])
            #expect(response.infos.map(\.appId) == [1, 2])
            #expect(response.infos.map(\.partitionCount) == [8, 4])
            #expect(response.infos.allSatisfy { $0.status == .available && $0.isStateful && $0.appType == "pegasus" })

            let filter = ListAppsRequest(appNamePattern: "2", matchType: .postfix)
            try await leader.send(Requests.make(RpcName.listApps, seqid: 3, args: filter))
            #expect(try await leader.reply().decodeResult(ListAppsResponse.self).infos.map(\.appName) == ["t2"])

            let follower = try await TestConnection.connect(cluster.metaAddresses[1])
            try await follower.send(Requests.make(RpcName.listApps, args: ListAppsRequest()))
            let forwarded = try await follower.reply().decodeResult(ListAppsResponse.self)
            #expect(forwarded.err == .forwardToOthers)
            #expect(forwarded.infos.isEmpty)
            await leader.close()
            await follower.close()
        }
    }

    @Test("cluster info on the leader has the documented keys; a follower forwards")
    func clusterInfo() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            try cluster.setLeader(1)
            let leader = try await TestConnection.connect(cluster.metaAddresses[1])
            try await leader.send(Requests.make(RpcName.clusterInfo, args: ClusterInfoRequest()))
            let response = try await leader.reply().decodeResult(ClusterInfoResponse.self)
            #expect(response.err == .ok)
            #expect(
                response.keys == [
                    "meta_servers", "primary_meta_server", "zookeeper_hosts", "zookeeper_root", "meta_function_level",
                    "balance_operation_count", "primary_replica_count_stddev", "total_replica_count_stddev",
                    "cluster_name",
                ])
            #expect(response["cluster_name"] == "simA")
            #expect(response["primary_meta_server"] == cluster.metaAddresses[1])
            #expect(response["meta_servers"] == cluster.metaAddresses.joined(separator: ","))

            let follower = try await TestConnection.connect(cluster.metaAddresses[0])
            try await follower.send(Requests.make(RpcName.clusterInfo, args: ClusterInfoRequest()))
            let forwarded = try await follower.reply().decodeResult(ClusterInfoResponse.self)
            #expect(forwarded.err == .forwardToOthers)
            #expect(forwarded.keys.isEmpty && forwarded.values.isEmpty)
            await leader.close()
            await follower.close()
        }
    }

    @Test("duplication query in the master shape carries partition states")
    func duplicationMaster() async throws {
        try await withCluster(standardConfiguration(duplicationShape: .master)) { cluster in
            try cluster.write(table: "t2", count: 10)
            try cluster.setDuplication(table: "t2", SimDuplicationSpec(remote: "simB", progress: .lag(3)))
            try cluster.setDuplication(table: "t2", SimDuplicationSpec(remote: "simC", status: .pause, failMode: .skip))
            let response = try await duplicationQuery(cluster, "t2")
            #expect(response.err == .ok)
            #expect(response.appId == 2)
            #expect(response.entries.map(\.remote) == ["simB", "simC"])
            #expect(response.entries.map(\.status) == [.log, .pause])
            #expect(response.entries.map(\.failMode) == [.slow, .skip])
            let first = try #require(response.entries.first)
            #expect(first.remoteAppName == "t2")
            #expect(first.remoteReplicaCount == 3)
            #expect(first.progress == nil)
            #expect(
                first.partitionStates
                    == Dictionary(
                        uniqueKeysWithValues: (0..<4).map {
                            (Int32($0), DuplicationPartitionState(confirmedDecree: 7, lastCommittedDecree: 10))
                        }))

            try cluster.advanceDuplication(table: "t2", remote: "simB", by: 2)
            let advanced = try await duplicationQuery(cluster, "t2")
            #expect(advanced.entries.first?.partitionStates?[0]?.confirmedDecree == 9)
            #expect(try await duplicationQuery(cluster, "nope").err == .appNotExist)
        }
    }

    @Test("duplication query in the v2.5 shape has no per-partition progress")
    func duplicationV25() async throws {
        try await withCluster(standardConfiguration(duplicationShape: .v25)) { cluster in
            try cluster.setDuplication(table: "t1", SimDuplicationSpec(remote: "simB", progress: .unknown))
            let response = try await duplicationQuery(cluster, "t1")
            let entry = try #require(response.entries.first)
            #expect(entry.remote == "simB" && entry.status == .log && entry.failMode == .slow)
            #expect(entry.partitionStates == nil && entry.remoteAppName == nil && entry.remoteReplicaCount == nil)
            #expect(try await duplicationQuery(cluster, "t2").entries.isEmpty)

            let follower = try await TestConnection.connect(cluster.metaAddresses[1])
            try await follower.send(
                Requests.make(RpcName.queryDuplication, seqid: 3, args: DuplicationQueryRequest(appName: "t1")))
            #expect(try await follower.reply().encodedBytes == (try Golden.bytes("resp_query_dup_forward.hex")))
            await follower.close()
        }
    }

    @Test("negotiation is answered with SASL_AUTH_DISABLE by every MetaServer")
    func negotiation() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let follower = try await TestConnection.connect(cluster.metaAddresses[2])
            let request = NegotiationRequest(status: .saslListMechanisms)
            try await follower.send(Requests.make(RpcName.negotiation, seqid: 0, args: request))
            #expect(try await follower.reply().encodedBytes == (try Golden.bytes("resp_negotiation_auth_disable.hex")))
            await follower.close()
        }
    }

    @Test("an unknown RPC gets ERR_HANDLER_NOT_FOUND and the connection stays usable")
    func unknownRPC() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let connection = try await TestConnection.connect(cluster.metaAddresses[0])
            try await connection.send(Requests.make(RpcName.listNodes, seqid: 7, args: ClusterInfoRequest()))
            #expect(try await connection.reply().encodedBytes == (try Golden.bytes("resp_handler_not_found.hex")))
            try await connection.send(Requests.queryConfig("t1", seqid: 8))
            let reply = try await connection.reply()
            #expect(reply.message.seqid == 8)
            #expect(try reply.decodeResult(QueryConfigResponse.self).err == .ok)
            await connection.close()
        }
    }

    @Test("pipelined requests with out-of-order seqids are each answered under their own seqid")
    func pipelined() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let connection = try await TestConnection.connect(cluster.metaAddresses[0])
            let tables: [Int32: String] = [30: "t1", 10: "zz", 20: "t2", 5: "t1"]
            try await connection.send(
                Requests.queryConfig("t1", seqid: 30), Requests.queryConfig("zz", seqid: 10),
                Requests.queryConfig("t2", seqid: 20, header: Requests.v1), Requests.queryConfig("t1", seqid: 5))
            var seen: [Int32: QueryConfigResponse] = [:]
            for _ in 0..<4 {
                let reply = try await connection.reply()
                seen[reply.message.seqid] = try reply.decodeResult(QueryConfigResponse.self)
            }
            #expect(Set(seen.keys) == Set(tables.keys))
            #expect(seen[30]?.appId == 1 && seen[5]?.appId == 1)
            #expect(seen[20]?.appId == 2)
            #expect(seen[10]?.err == .objectNotFound)
            #expect(cluster.stats().metas[0].queryConfig == 4)
            await connection.close()
        }
    }

    private func queryReply(_ cluster: SimCluster, meta: Int) async throws -> ResponseFrame {
        try await TestConnection.exchange(cluster.metaAddresses[meta], Requests.queryConfig("t1"))
    }

    private func duplicationQuery(_ cluster: SimCluster, _ table: String) async throws -> DuplicationQueryResponse {
        let request = Requests.make(RpcName.queryDuplication, args: DuplicationQueryRequest(appName: table))
        return try await TestConnection.exchange(cluster.metaAddresses[0], request)
            .decodeResult(DuplicationQueryResponse.self)
    }
}

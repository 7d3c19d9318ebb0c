import NIOCore
import PegasusSim
import PegasusWire
import Testing

@Suite("ReplicaServer", .timeLimit(.minutes(1)))
struct ReplicaTests {
    /// The key blob a Pegasus client builds: u16 hash key length, hash key, sort key.
    private func key(_ hashKey: String, _ sortKey: String) -> RrdbBlob {
        let hash = Array(hashKey.utf8)
        return RrdbBlob([UInt8(hash.count >> 8), UInt8(hash.count & 0xff)] + hash + Array(sortKey.utf8))
    }

    @Test("put, get, ttl and remove on the partition's primary; writes bump the decree")
    func putGetRemove() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let gpid = Gpid(appId: 1, partitionIndex: 3)
            let partition = cluster.queryConfiguration(table: "t1").partitions[3]
            let primary = try #require(cluster.replicaAddresses.first { rpcAddress($0) == partition.primary })
            let connection = try await TestConnection.connect(primary)
            let k = key("user", "name")

            try await connection.send(
                Requests.make(RrdbRpcName.put, seqid: 1, args: RrdbUpdateRequest(key: k, value: "alice"), gpid: gpid))
            let put = try await connection.reply()
            #expect(put.errorName == "ERR_OK" && put.message.name == "RPC_RRDB_RRDB_PUT_ACK")
            #expect(
                try put.decodeResult(RrdbUpdateResponse.self)
                    == RrdbUpdateResponse(error: 0, appId: 1, partitionIndex: 3, decree: 1, server: primary))

            try await connection.send(Requests.make(RrdbRpcName.get, seqid: 2, args: k, gpid: gpid))
            let get = try await connection.reply().decodeResult(RrdbReadResponse.self)
            #expect(get.error == 0 && get.value == "alice" && get.server == primary)

            try await connection.send(Requests.make(RrdbRpcName.ttl, seqid: 3, args: k, gpid: gpid))
            let ttl = try await connection.reply().decodeResult(RrdbTTLResponse.self)
            #expect(ttl.error == 0 && ttl.ttlSeconds == -1)

            try await connection.send(Requests.make(RrdbRpcName.remove, seqid: 4, args: k, gpid: gpid))
            #expect(try await connection.reply().decodeResult(RrdbUpdateResponse.self).decree == 2)

            try await connection.send(Requests.make(RrdbRpcName.get, seqid: 5, args: k, gpid: gpid))
            let gone = try await connection.reply().decodeResult(RrdbReadResponse.self)
            #expect(gone.error == 1 && gone.value.bytes.isEmpty)

            #expect(cluster.queryConfiguration(table: "t1").partitions[3].lastCommittedDecree == 2)
            #expect(cluster.queryConfiguration(table: "t1").partitions[2].lastCommittedDecree == 0)
            await connection.close()
        }
    }

    @Test("an expired value reads as not found")
    func expired() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let gpid = Gpid(appId: 2, partitionIndex: 0)
            let primary = try #require(
                cluster.replicaAddresses.first {
                    rpcAddress($0) == cluster.queryConfiguration(table: "t2").partitions[0].primary
                })
            let connection = try await TestConnection.connect(primary)
            let request = RrdbUpdateRequest(key: key("h", "s"), value: "v", expireTimestamp: 1)
            try await connection.send(Requests.make(RrdbRpcName.put, seqid: 1, args: request, gpid: gpid))
            #expect(try await connection.reply().decodeResult(RrdbUpdateResponse.self).error == 0)
            try await connection.send(Requests.make(RrdbRpcName.get, seqid: 2, args: key("h", "s"), gpid: gpid))
            #expect(try await connection.reply().decodeResult(RrdbReadResponse.self).error == 1)
            await connection.close()
        }
    }

    @Test("a secondary answers ERR_INVALID_STATE, an unknown app ERR_OBJECT_NOT_FOUND, in the envelope")
    func wrongReplica() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let partition = cluster.queryConfiguration(table: "t1").partitions[0]
            let secondary = try #require(
                cluster.replicaAddresses.first { rpcAddress($0) == partition.secondaries.first })
            let connection = try await TestConnection.connect(secondary)
            let get = RrdbBlob("k")
            try await connection.send(
                Requests.make(RrdbRpcName.get, seqid: 1, args: get, gpid: Gpid(appId: 1, partitionIndex: 0)))
            let invalid = try await connection.reply()
            #expect(invalid.errorName == "ERR_INVALID_STATE" && invalid.body.readableBytes == 0)
            try await connection.send(
                Requests.make(RrdbRpcName.get, seqid: 2, args: get, gpid: Gpid(appId: 77, partitionIndex: 0)))
            #expect(try await connection.reply().errorName == "ERR_OBJECT_NOT_FOUND")
            try await connection.send(Requests.queryConfig("t1", seqid: 3))
            let notHere = try await connection.reply()
            #expect(notHere.errorName == "ERR_HANDLER_NOT_FOUND" && notHere.message.seqid == 3)
            await connection.close()
        }
    }

    @Test("/replica/duplication reports the primaries it hosts; 404 without primary or duplication")
    func replicaDuplication() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            try cluster.write(table: "t1", count: 20)
            try cluster.setDuplication(table: "t1", SimDuplicationSpec(remote: "simB", progress: .lag(4)))
            let dupid = try #require(cluster.duplications(table: "t1").entries.first?.dupid)
            let connection = try await TestConnection.connect(cluster.replicaAddresses[0])

            try await connection.send(http: "/replica/duplication?appid=1")
            let response = try await connection.httpResponse()
            #expect(response.status == 200)
            let document = try #require(try json(response.body) as? [String: [String: [String: Any]]])
            let states = try #require(document[String(dupid)])
            #expect(Set(states.keys) == ["1.0", "1.3", "1.6"])
            #expect(states["1.0"]?["not_confirmed_mutations_num"] as? Int == 4)
            #expect(states["1.0"]?["duplicating"] as? Bool == true)
            #expect(states["1.0"]?["remote_app_name"] as? String == "t1")

            try await connection.send(http: "/replica/duplication?appid=2")
            let noDuplication = try await connection.httpResponse()
            #expect(noDuplication.status == 404 && noDuplication.body == "no duplication assigned for app [appid=2]")
            try await connection.send(http: "/replica/duplication?appid=9")
            let noPrimary = try await connection.httpResponse()
            #expect(noPrimary.status == 404 && noPrimary.body == "no primary for app [appid=9]")
            await connection.close()
        }
    }
}

import Foundation
import NIOCore
import PegasusSim
import PegasusWire
import Testing

@Suite("App envs and replica.deny_client_request", .timeLimit(.minutes(1)))
struct AppEnvTests {
    private func update(_ address: String, _ request: UpdateAppEnvRequest) async throws -> UpdateAppEnvResponse {
        let reply = try await TestConnection.exchange(address, Requests.make(RpcName.updateAppEnv, args: request))
        #expect(reply.errorName == "ERR_OK" && reply.message.name == "RPC_CM_UPDATE_APP_ENV_ACK")
        return try reply.decodeResult(UpdateAppEnvResponse.self)
    }

    @Test("the leader sets and deletes envs, seen in list_apps envs, /meta/app_envs and /meta/apps envs_count")
    func setAndDelete() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let leader = cluster.metaAddresses[0]
            let set = try await update(leader, .set(["replica.deny_client_request": "timeout*write", "a.b": "1"], appName: "t1"))
            #expect(set == UpdateAppEnvResponse(err: .ok))
            #expect(cluster.appEnvs(table: "t1") == ["replica.deny_client_request": "timeout*write", "a.b": "1"])

            let list = try await TestConnection.exchange(
                leader, Requests.make(RpcName.listApps, args: ListAppsRequest(status: .available)))
            let infos = try list.decodeResult(ListAppsResponse.self).infos
            #expect(infos.first { $0.appName == "t1" }?.envs == cluster.appEnvs(table: "t1"))
            #expect(infos.first { $0.appName == "t2" }?.envs == [:])

            let envs = try await TestConnection.get(leader, "/meta/app_envs?name=t1")
            #expect(envs.status == 200)
            #expect(try json(envs.body) as? [String: String] == ["a.b": "1", "replica.deny_client_request": "timeout*write"])
            let apps = try await TestConnection.get(leader, "/meta/apps")
            let rows = try #require((try json(apps.body) as? [String: Any])?["general_info"] as? [String: [String: String]])
            #expect(rows["1"]?["envs_count"] == "2" && rows["2"]?["envs_count"] == "0")

            let deleted = try await update(leader, .delete(["replica.deny_client_request", "nope"], appName: "t1"))
            #expect(deleted.err == .ok && deleted.hintMessage.contains("replica.deny_client_request"))
            #expect(cluster.appEnvs(table: "t1") == ["a.b": "1"])
            let none = try await update(leader, .delete(["nope"], appName: "t1"))
            #expect(none == UpdateAppEnvResponse(err: .ok, hintMessage: "no key needs to be deleted"))
            let cleared = try await update(leader, UpdateAppEnvRequest(appName: "t1", operation: .clear, clearPrefix: "a"))
            #expect(cleared.err == .ok && cluster.appEnvs(table: "t1").isEmpty)
        }
    }

    @Test("followers forward, bad requests and values are ERR_INVALID_PARAMETERS, unknown tables ERR_APP_NOT_EXIST")
    func refusals() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let request = UpdateAppEnvRequest.set(["replica.deny_client_request": "timeout*write"], appName: "t1")
            #expect(try await update(cluster.metaAddresses[1], request).err == .forwardToOthers)
            let badValue = try await update(
                cluster.metaAddresses[0], .set(["replica.deny_client_request": "block*write"], appName: "t1"))
            #expect(badValue.err == "ERR_INVALID_PARAMETERS" && badValue.hintMessage.contains("reconfig*all"))
            let noValues = try await update(
                cluster.metaAddresses[0], UpdateAppEnvRequest(appName: "t1", operation: .set, keys: ["k"]))
            #expect(noValues.err == "ERR_INVALID_PARAMETERS")
            let invalidOperation = try await update(cluster.metaAddresses[0], UpdateAppEnvRequest(appName: "t1"))
            #expect(invalidOperation.err == "ERR_INVALID_PARAMETERS")
            let unknown = try await update(cluster.metaAddresses[0], .set(["k": "v"], appName: "nope"))
            #expect(unknown == UpdateAppEnvResponse(err: .appNotExist, hintMessage: "app cannot be found"))
            #expect(cluster.appEnvs(table: "t1").isEmpty)
            let envs = try await TestConnection.get(cluster.metaAddresses[0], "/meta/app_envs?name=nope")
            #expect(envs.status == 200 && envs.body.trimmingCharacters(in: .whitespacesAndNewlines) == "{}")
            #expect(try await TestConnection.get(cluster.metaAddresses[0], "/meta/app_envs").status == 400)
            #expect(try await TestConnection.get(cluster.metaAddresses[1], "/meta/app_envs?name=t1").status == 307)
        }
    }

    @Test("timeout*write drops writes without reply and serves reads; reconfig*all answers ERR_INVALID_STATE")
    func replicasHonourDenial() async throws {
        try await withCluster(standardConfiguration()) { cluster in
            let gpid = Gpid(appId: 1, partitionIndex: 2)
            let partition = cluster.queryConfiguration(table: "t1").partitions[2]
            let primary = try #require(cluster.replicaAddresses.first { rpcAddress($0) == partition.primary })
            let put = RrdbUpdateRequest(key: RrdbBlob("k"), value: "v")
            let leader = cluster.metaAddresses[0]

            _ = try await update(leader, .set(["replica.deny_client_request": "timeout*write"], appName: "t1"))
            let connection = try await TestConnection.connect(primary)
            try await connection.send(Requests.make(RrdbRpcName.put, seqid: 1, args: put, gpid: gpid))
            try await connection.send(Requests.make(RrdbRpcName.get, seqid: 2, args: RrdbBlob("k"), gpid: gpid))
            let read = try await connection.reply()
            #expect(read.message.seqid == 2 && read.errorName == "ERR_OK")
            #expect(try await connection.replyIfAny(within: .milliseconds(300)) == nil)
            #expect(cluster.queryConfiguration(table: "t1").partitions[2].lastCommittedDecree == 0)

            _ = try await update(leader, .set(["replica.deny_client_request": "reconfig*all"], appName: "t1"))
            try await connection.send(Requests.make(RrdbRpcName.put, seqid: 3, args: put, gpid: gpid))
            let rejectedWrite = try await connection.reply()
            #expect(rejectedWrite.message.seqid == 3 && rejectedWrite.errorName == "ERR_INVALID_STATE")
            try await connection.send(Requests.make(RrdbRpcName.get, seqid: 4, args: RrdbBlob("k"), gpid: gpid))
            #expect(try await connection.reply().errorName == "ERR_INVALID_STATE")

            _ = try await update(leader, .delete(["replica.deny_client_request"], appName: "t1"))
            try await connection.send(Requests.make(RrdbRpcName.put, seqid: 5, args: put, gpid: gpid))
            #expect(try await connection.reply().decodeResult(RrdbUpdateResponse.self).decree == 1)
            await connection.close()
        }
    }
}

import PegasusWire

/// THFT requests to a ReplicaServer: single-key put, get, remove and ttl against the shared
/// in-memory store (idl/rrdb.thrift).
extension SimClusterState {
    /// RocksDB status OK.
    static let rocksOK: Int32 = 0
    /// RocksDB status NotFound.
    static let rocksNotFound: Int32 = 1

    /// Decides the reply of ReplicaServer `index` to `frame`; `now` is Pegasus-epoch seconds.
    mutating func handleReplicaRPC(_ index: Int, _ frame: RequestFrame, now: Int64) -> SimOutcome<ResponseFrame> {
        switch admit(SimNodeID(role: .replica, index: index), http: false) {
        case .refuse:
            return .close("node is down")
        case .ignore:
            return .noReply
        case .answer(let delay):
            switch replicaReply(index, frame, now: now) {
            case .success(let reply): return .reply(reply, delay: delay)
            case .failure(let rejection): return .close(rejection.detail)
            }
        }
    }

    private mutating func replicaReply(
        _ index: Int,
        _ frame: RequestFrame,
        now: Int64
    ) -> Result<ResponseFrame, SimRequestRejection> {
        let name = frame.message.name
        let seqid = frame.message.seqid
        switch name {
        case RpcName.negotiation:
            return .success(.reply(requestName: name, seqid: seqid, result: NegotiationResponse(status: .saslAuthDisable)))
        case RrdbRpcName.put, RrdbRpcName.get, RrdbRpcName.remove, RrdbRpcName.ttl:
            break
        default:
            return .success(.handlerNotFound(requestName: name, seqid: seqid))
        }
        let gpid = Gpid(appId: frame.header.appId, partitionIndex: frame.header.partitionIndex)
        guard let tableIndex = tableIndex(appId: gpid.appId),
            let partitionIndex = Int(exactly: gpid.partitionIndex),
            tables[tableIndex].partitions.indices.contains(partitionIndex)
        else {
            return .success(envelopeError(.objectNotFound, name, seqid))
        }
        let partition = tables[tableIndex].partitions[partitionIndex]
        guard partition.primary == index else {
            // rDSN: a replica that hosts the partition but is not its primary answers
            // ERR_INVALID_STATE; one that does not host it, ERR_OBJECT_NOT_FOUND.
            let hosted = partition.secondaries.contains(index)
            return .success(envelopeError(hosted ? .invalidState : .objectNotFound, name, seqid))
        }
        let server = replicaAddress(index).description
        do {
            switch name {
            case RrdbRpcName.put:
                let request = try frame.decodeArgs(RrdbUpdateRequest.self)
                store[SimStoreKey(appId: gpid.appId, key: request.key.bytes)] = SimStoredValue(
                    value: request.value.bytes,
                    expireTimestamp: request.expireTimestamp
                )
                let decree = commitWrite(tableIndex, partitionIndex)
                let result = RrdbUpdateResponse(
                    appId: gpid.appId, partitionIndex: gpid.partitionIndex, decree: decree, server: server)
                return .success(.reply(requestName: name, seqid: seqid, result: result))
            case RrdbRpcName.remove:
                let key = try frame.decodeArgs(RrdbBlob.self)
                store[SimStoreKey(appId: gpid.appId, key: key.bytes)] = nil
                let decree = commitWrite(tableIndex, partitionIndex)
                let result = RrdbUpdateResponse(
                    appId: gpid.appId, partitionIndex: gpid.partitionIndex, decree: decree, server: server)
                return .success(.reply(requestName: name, seqid: seqid, result: result))
            case RrdbRpcName.get:
                let key = try frame.decodeArgs(RrdbBlob.self)
                let stored = liveValue(SimStoreKey(appId: gpid.appId, key: key.bytes), now: now)
                let result = RrdbReadResponse(
                    error: stored == nil ? Self.rocksNotFound : Self.rocksOK,
                    value: RrdbBlob(stored?.value ?? []),
                    appId: gpid.appId,
                    partitionIndex: gpid.partitionIndex,
                    server: server
                )
                return .success(.reply(requestName: name, seqid: seqid, result: result))
            default:
                let key = try frame.decodeArgs(RrdbBlob.self)
                let stored = liveValue(SimStoreKey(appId: gpid.appId, key: key.bytes), now: now)
                let ttl: Int32 =
                    switch stored?.expireTimestamp {
                    case .none: 0
                    case .some(0): -1
                    case .some(let expiry): Int32(clamping: Int64(expiry) - now)
                    }
                let result = RrdbTTLResponse(
                    error: stored == nil ? Self.rocksNotFound : Self.rocksOK,
                    ttlSeconds: ttl,
                    appId: gpid.appId,
                    partitionIndex: gpid.partitionIndex,
                    server: server
                )
                return .success(.reply(requestName: name, seqid: seqid, result: result))
            }
        } catch {
            return .failure(SimRequestRejection(detail: "cannot read \(name) args: \(error)"))
        }
    }

    /// The stored value unless it has expired.
    private func liveValue(_ key: SimStoreKey, now: Int64) -> SimStoredValue? {
        guard let stored = store[key] else {
            return nil
        }
        if stored.expireTimestamp != 0 && Int64(stored.expireTimestamp) <= now {
            return nil
        }
        return stored
    }

    /// Bumps the partition's last committed decree and returns it.
    private mutating func commitWrite(_ tableIndex: Int, _ partitionIndex: Int) -> Int64 {
        tables[tableIndex].partitions[partitionIndex].lastCommittedDecree += 1
        return tables[tableIndex].partitions[partitionIndex].lastCommittedDecree
    }

    /// A reply with an rDSN error in the envelope and no body.
    private func envelopeError(_ error: ErrorCode, _ name: String, _ seqid: Int32) -> ResponseFrame {
        ResponseFrame(
            errorName: error.name,
            message: ThriftMessageHeader(name: RpcName.ack(name), type: .reply, seqid: seqid)
        )
    }
}

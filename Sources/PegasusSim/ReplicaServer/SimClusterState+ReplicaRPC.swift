import PegasusWire

/// THFT requests to a ReplicaServer: single-key put, get, remove and ttl against the shared
/// in-memory store (idl/rrdb.thrift).
extension SimClusterState {
    /// RocksDB status OK.
    static let rocksOK: Int32 = 0
    /// RocksDB status NotFound.
    static let rocksNotFound: Int32 = 1

    /// Where a data request goes: its table, partition and the answering replica.
    private struct DataTarget {
        var tableIndex: Int
        var partitionIndex: Int
        var gpid: Gpid
        var server: String

        func key(_ blob: RrdbBlob) -> SimStoreKey {
            SimStoreKey(appId: gpid.appId, key: blob.bytes)
        }
    }

    /// A data request's partition, or the envelope error refusing it.
    private enum DataRouting {
        case serve(DataTarget)
        case refuse(ErrorCode)
    }

    /// Decides the reply of ReplicaServer `index` to `frame`; `now` is Pegasus-epoch seconds.
    /// A request denied by the table's `replica.deny_client_request` gets no reply (`timeout`) or
    /// `ERR_INVALID_STATE` in the envelope (`reconfig`).
    mutating func handleReplicaRPC(_ index: Int, _ frame: RequestFrame, now: Int64) -> SimOutcome<ResponseFrame> {
        let admission = admit(SimNodeID(role: .replica, index: index), http: false)
        if case .answer(let delay) = admission, let denial = clientDenial(index, frame) {
            switch denial {
            case .drop:
                return .noReply
            case .reject:
                return .reply(envelopeError(.invalidState, frame.message.name, frame.message.seqid), delay: delay)
            }
        }
        return admission.outcome {
            replicaReply(index, frame, now: now)
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
            return .success(
                .reply(requestName: name, seqid: seqid, result: NegotiationResponse(status: .saslAuthDisable)))
        case RrdbRpcName.put, RrdbRpcName.get, RrdbRpcName.remove, RrdbRpcName.ttl:
            break
        default:
            return .success(.handlerNotFound(requestName: name, seqid: seqid))
        }
        let target: DataTarget
        switch dataTarget(index, frame.header) {
        case .serve(let found): target = found
        case .refuse(let error): return .success(envelopeError(error, name, seqid))
        }
        do {
            let result: any ThriftEncodable
            switch name {
            case RrdbRpcName.put:
                let request = try frame.decodeArgs(RrdbUpdateRequest.self)
                let value = SimStoredValue(value: request.value.bytes, expireTimestamp: request.expireTimestamp)
                result = commitWrite(target, key: target.key(request.key), value: value)
            case RrdbRpcName.remove:
                result = commitWrite(target, key: target.key(try frame.decodeArgs(RrdbBlob.self)), value: nil)
            case RrdbRpcName.get:
                let stored = liveValue(target.key(try frame.decodeArgs(RrdbBlob.self)), now: now)
                result = RrdbReadResponse(
                    error: stored == nil ? Self.rocksNotFound : Self.rocksOK,
                    value: RrdbBlob(stored?.value ?? []),
                    appId: target.gpid.appId,
                    partitionIndex: target.gpid.partitionIndex,
                    server: target.server
                )
            default:
                let stored = liveValue(target.key(try frame.decodeArgs(RrdbBlob.self)), now: now)
                result = RrdbTTLResponse(
                    error: stored == nil ? Self.rocksNotFound : Self.rocksOK,
                    ttlSeconds: stored.map {
                        $0.expireTimestamp == 0 ? -1 : Int32(clamping: Int64($0.expireTimestamp) - now)
                    } ?? 0,
                    appId: target.gpid.appId,
                    partitionIndex: target.gpid.partitionIndex,
                    server: target.server
                )
            }
            return .success(.reply(requestName: name, seqid: seqid, result: result))
        } catch {
            return .failure(SimRequestRejection(detail: "cannot read \(name) args: \(error)"))
        }
    }

    /// The partition named by the request header's gpid, if replica `index` is its primary.
    /// rDSN answers ERR_OBJECT_NOT_FOUND when the replica does not host the partition and
    /// ERR_INVALID_STATE when it hosts it but is not the primary, both in the envelope.
    private func dataTarget(_ index: Int, _ header: RequestHeader) -> DataRouting {
        let gpid = Gpid(appId: header.appId, partitionIndex: header.partitionIndex)
        guard let tableIndex = tableIndex(appId: gpid.appId),
            let partitionIndex = Int(exactly: gpid.partitionIndex),
            tables[tableIndex].partitions.indices.contains(partitionIndex)
        else {
            return .refuse(.objectNotFound)
        }
        let partition = tables[tableIndex].partitions[partitionIndex]
        guard partition.primary == index else {
            return .refuse(partition.secondaries.contains(index) ? .invalidState : .objectNotFound)
        }
        return .serve(
            DataTarget(
                tableIndex: tableIndex,
                partitionIndex: partitionIndex,
                gpid: gpid,
                server: replicaAddress(index).description
            ))
    }

    /// Stores (or, for `nil`, deletes) `key`, bumps the partition's last committed decree, and
    /// returns the `update_response`.
    private mutating func commitWrite(_ target: DataTarget, key: SimStoreKey, value: SimStoredValue?)
        -> RrdbUpdateResponse
    {
        store[key] = value
        tables[target.tableIndex].partitions[target.partitionIndex].lastCommittedDecree += 1
        return RrdbUpdateResponse(
            appId: target.gpid.appId,
            partitionIndex: target.gpid.partitionIndex,
            decree: tables[target.tableIndex].partitions[target.partitionIndex].lastCommittedDecree,
            server: target.server
        )
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

    /// A reply with an rDSN error in the envelope and no body.
    private func envelopeError(_ error: ErrorCode, _ name: String, _ seqid: Int32) -> ResponseFrame {
        ResponseFrame(
            errorName: error.name,
            message: ThriftMessageHeader(name: RpcName.ack(name), type: .reply, seqid: seqid)
        )
    }
}

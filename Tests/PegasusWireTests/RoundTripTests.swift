import NIOCore
import PegasusWire
import Testing

@Suite("Round trips of every message type")
struct RoundTripTests {
    /// Encodes `value`, decodes it back, and checks equality and that nothing is left over.
    func roundTrip<T: ThriftCodable & Equatable>(_ value: T) throws {
        var buffer = ByteBuffer()
        value.write(to: &buffer)
        let bytes = Array(buffer.readableBytesView)
        var reader = ThriftReader(buffer)
        let decoded = try T(from: &reader)
        #expect(decoded == value)
        #expect(reader.remainingBytes == 0)
        var again = ByteBuffer()
        decoded.write(to: &again)
        #expect(Array(again.readableBytesView) == bytes)
    }

    static let fullPartition = PartitionConfiguration(
        pid: Gpid(appId: 7, partitionIndex: 3),
        ballot: -2,
        maxReplicaCount: 3,
        primary: RpcAddress(ipv4: 0x0a00_0001, port: 34801),
        secondaries: [RpcAddress(ipv4: 0x0a00_0002, port: 34802)],
        lastDrops: [RpcAddress(ipv4: 0x0a00_0003, port: 34803)],
        lastCommittedDecree: 1 << 40,
        partitionFlags: 1,
        hpPrimary: HostPort(host: "replica1", port: 34801),
        hpSecondaries: [HostPort(host: "replica2", port: 34802)],
        hpLastDrops: [HostPort(host: "replica3", port: 34803, type: 0)]
    )

    @Test("query config request and response")
    func queryConfig() throws {
        try roundTrip(QueryConfigRequest(appName: "temp", partitionIndices: [0, 3, -1]))
        try roundTrip(QueryConfigRequest())
        try roundTrip(
            QueryConfigResponse(
                err: .ok,
                appId: 7,
                partitionCount: 2,
                isStateful: true,
                partitions: [Self.fullPartition, PartitionConfiguration(partitionFlags: nil)]
            ))
        try roundTrip(QueryConfigResponse(err: "ERR_SOMETHING_NEW"))
    }

    @Test("partition configuration shapes: fields 1-7, 1-8, 1-11")
    func partitionShapes() throws {
        try roundTrip(PartitionConfiguration(partitionFlags: nil))
        try roundTrip(PartitionConfiguration())
        try roundTrip(Self.fullPartition)
        var partial = Self.fullPartition
        partial.hpSecondaries = nil
        try roundTrip(partial)
    }

    @Test("list apps request, response and app info")
    func listApps() throws {
        try roundTrip(ListAppsRequest())
        try roundTrip(ListAppsRequest(status: .available, appNamePattern: "te", matchType: .prefix))
        let info = AppInfo(
            status: .dropped,
            appType: "pegasus",
            appName: "t",
            appId: 9,
            partitionCount: 16,
            envs: ["b": "2", "a": "1", "replica.deny_client_request": "reconfig*all"],
            isStateful: true,
            maxReplicaCount: 3,
            expireSecond: 10,
            createSecond: 20,
            dropSecond: 30,
            duplicating: false,
            initPartitionCount: 8,
            isBulkLoading: true,
            atomicIdempotent: false
        )
        try roundTrip(info)
        try roundTrip(AppInfo())
        try roundTrip(ListAppsResponse(err: .forwardToOthers, infos: [info, AppInfo()], hintMessage: "hint"))
    }

    @Test("map keys are written in ascending byte order, as std::map iterates")
    func mapOrder() throws {
        var buffer = ByteBuffer()
        AppInfo(envs: ["b": "", "a": "", "B": ""]).write(to: &buffer)
        var reader = ThriftReader(buffer)
        var keys: [String] = []
        while let field = try reader.readFieldHeader() {
            if field.id == 6 {
                let header = try reader.readMapHeader()
                for _ in 0..<header.count {
                    keys.append(try reader.readString())
                    _ = try reader.readString()
                }
            } else {
                try reader.skip(field.type)
            }
        }
        #expect(keys == ["B", "a", "b"])
    }

    @Test("cluster info")
    func clusterInfo() throws {
        try roundTrip(ClusterInfoRequest())
        let response = ClusterInfoResponse(pairs: [("meta_servers", "a:1,b:2"), ("cluster_name", "onebox")])
        try roundTrip(response)
        #expect(response["cluster_name"] == "onebox")
        #expect(response["missing"] == nil)
        try roundTrip(ClusterInfoResponse(err: .forwardToOthers))
        var args = ByteBuffer()
        ClusterInfoRequest().write(to: &args)
        #expect(Array(args.readableBytesView) == [0])
    }

    @Test("duplication query")
    func duplication() throws {
        try roundTrip(DuplicationQueryRequest(appName: "temp"))
        let entry = DuplicationEntry(
            dupid: 1,
            status: .log,
            remote: "backup",
            createTs: 2,
            progress: [3: 30, 1: 10],
            failMode: .fast,
            remoteAppName: "temp2",
            remoteReplicaCount: 2,
            mode: .incremental,
            partitionStates: [1: DuplicationPartitionState(confirmedDecree: -1, lastCommittedDecree: 5)]
        )
        try roundTrip(entry)
        try roundTrip(DuplicationEntry())
        try roundTrip(DuplicationPartitionState(confirmedDecree: 1, lastCommittedDecree: 2))
        try roundTrip(DuplicationQueryResponse(err: .ok, appId: 2, entries: [entry, DuplicationEntry()]))
    }

    @Test("negotiation and request meta")
    func negotiationAndMeta() throws {
        try roundTrip(NegotiationRequest(status: .saslInitiate, msg: [0, 1, 2, 255]))
        try roundTrip(NegotiationResponse(status: .saslChallenge, msg: Array("challenge".utf8)))
        try roundTrip(RequestMetaV1())
        try roundTrip(
            RequestMetaV1(appId: 1, partitionIndex: 2, clientTimeout: 3, clientPartitionHash: -4, isBackupRequest: true)
        )
        try roundTrip(RequestMetaV1(clientTimeout: 3))
    }

    @Test("placeholder types")
    func placeholders() throws {
        try roundTrip(ErrorCode.busyCreating)
        try roundTrip(RpcAddress(ipv4: 0xffff_ffff, port: 65535))
        try roundTrip(RpcAddress.invalid)
        try roundTrip(HostPort(host: "h", port: 65535, type: 1))
        try roundTrip(Gpid(appId: -1, partitionIndex: -1))
        try roundTrip(Gpid(appId: Int32.max, partitionIndex: Int32.min))
    }

    @Test(
        "request frames, v0 and v1, through make, encode and read",
        arguments: [
            RequestHeader(
                version: .v0, appId: 2, partitionIndex: 3, clientTimeout: 1000, threadHash: 15841,
                partitionHash: UInt64.max, hdrCRC32: 0xdead_beef, bodyCRC32: 0x0102_0304
            ),
            RequestHeader(version: .v1, appId: -1, partitionIndex: -1, clientTimeout: 5000, isBackupRequest: true),
            RequestHeader(version: .v1, clientTimeout: 10, metaFields: [.clientTimeout]),
            RequestHeader(version: .v1, metaFields: []),
        ])
    func requestFrames(header: RequestHeader) throws {
        let request = QueryConfigRequest(appName: "temp")
        let frame = RequestFrame.make(header: header, name: RpcName.queryConfig, seqid: 42, args: request)
        var buffer = ByteBuffer()
        frame.encode(into: &buffer)
        let bytes = Array(buffer.readableBytesView)
        let decoded = try RequestFrame.read(from: &buffer)
        #expect(decoded == frame)
        #expect(decoded.header == header)
        #expect(try decoded.decodeArgs(QueryConfigRequest.self) == request)

        var fast = ByteBuffer()
        RequestFrame.write(header: header, name: RpcName.queryConfig, seqid: 42, args: frame.args, into: &fast)
        #expect(Array(fast.readableBytesView) == bytes)
    }

    @Test("absent v1 meta fields read as zero and stay absent")
    func partialMeta() throws {
        let header = RequestHeader(meta: RequestMetaV1(partitionIndex: 4))
        #expect(header.version == .v1)
        #expect(header.appId == 0)
        #expect(header.partitionIndex == 4)
        #expect(header.metaFields == [.partitionIndex])
        #expect(header.meta == RequestMetaV1(partitionIndex: 4))
    }

    @Test("reply frames built, encoded and read back", arguments: [Int32(0), 1, -1, Int32.max])
    func replyFrames(seqid: Int32) throws {
        let response = ClusterInfoResponse(pairs: [("cluster_name", "c")])
        let frame = ResponseFrame.reply(requestName: RpcName.clusterInfo, seqid: seqid, result: response)
        #expect(frame.message == ThriftMessageHeader(name: "RPC_CM_CLUSTER_INFO_ACK", type: .reply, seqid: seqid))
        var buffer = ByteBuffer()
        frame.encode(into: &buffer)
        #expect(buffer.getInteger(at: 0, as: Int32.self) == Int32(buffer.readableBytes))
        let decoded = try ResponseFrame.read(from: &buffer)
        #expect(decoded == frame)
        #expect(try decoded.decodeResult(ClusterInfoResponse.self) == response)

        var viaWrite = ByteBuffer()
        ResponseFrame.write(
            errorName: "ERR_OK", name: frame.message.name, seqid: seqid, body: frame.body, into: &viaWrite)
        var viaEncode = ByteBuffer()
        frame.encode(into: &viaEncode)
        #expect(viaWrite == viaEncode)
    }

    @Test("the frame encoders write what encode(into:) writes")
    func encoders() {
        let request = RequestFrame.make(
            header: RequestHeader(), name: RpcName.listApps, seqid: 1, args: ListAppsRequest())
        var viaEncoder = ByteBuffer()
        RequestFrameEncoder().encode(data: request, out: &viaEncoder)
        var direct = ByteBuffer()
        request.encode(into: &direct)
        #expect(viaEncoder == direct)

        let reply = ResponseFrame.handlerNotFound(requestName: RpcName.listNodes, seqid: 9)
        var replyViaEncoder = ByteBuffer()
        ResponseFrameEncoder().encode(data: reply, out: &replyViaEncoder)
        var replyDirect = ByteBuffer()
        reply.encode(into: &replyDirect)
        #expect(replyViaEncoder == replyDirect)
    }

    @Test("unknown fields of every real Thrift type are skipped")
    func unknownFieldsSkipped() throws {
        var buffer = ByteBuffer()
        buffer.writeThriftField(100, true)
        buffer.writeThriftField(101, Int8(-1))
        buffer.writeThriftField(102, 1.5)
        buffer.writeThriftField(103, Int16(-2))
        buffer.writeThriftField(104, Int32(-3))
        buffer.writeThriftField(105, Int64(-4))
        buffer.writeThriftField(1, "temp")
        buffer.writeThriftField(106, "unknown")
        buffer.writeThriftFieldHeader(.struct, id: 107)
        buffer.writeThriftField(1, list: [Int32(1), 2])
        buffer.writeThriftStop()
        buffer.writeThriftFieldHeader(.map, id: 108)
        buffer.writeThriftMap([("k", Int64(1))])
        buffer.writeThriftFieldHeader(.set, id: 109)
        buffer.writeThriftSetHeader(.string, count: 1)
        buffer.writeThriftString("s")
        buffer.writeThriftField(110, list: [[Int16(1)], [Int16(2), 3]])
        // Known id with an unexpected type: skipped, as generated C++ code does.
        buffer.writeThriftField(2, "not a list")
        buffer.writeThriftStop()
        var reader = ThriftReader(buffer)
        #expect(try QueryConfigRequest(from: &reader) == QueryConfigRequest(appName: "temp"))
        #expect(reader.remainingBytes == 0)
    }
}

extension Array: ThriftTyped where Element: ThriftEncodable {
    public static var thriftType: ThriftType { .list }
}

extension Array: ThriftEncodable where Element: ThriftEncodable {
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftList(self)
    }
}

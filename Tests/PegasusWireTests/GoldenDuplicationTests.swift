import NIOCore
import PegasusWire
import Testing

/// The `*_query_dup_*` vectors, checked against the values in the testdata README.
@Suite("Golden duplication vectors")
struct GoldenDuplicationTests {
    static let entryA = DuplicationEntry(
        dupid: 1_700_000_000, status: .log, remote: "tjsrv", createTs: 1_700_000_000_000, failMode: .slow
    )
    static let entryB = DuplicationEntry(
        dupid: 1_700_000_100, status: .pause, remote: "shsrv", createTs: 1_700_000_100_000, failMode: .skip
    )

    static func states(_ pairs: [(Int64, Int64)]) -> [Int32: DuplicationPartitionState] {
        var states: [Int32: DuplicationPartitionState] = [:]
        for (index, pair) in pairs.enumerated() {
            states[Int32(index)] = DuplicationPartitionState(confirmedDecree: pair.0, lastCommittedDecree: pair.1)
        }
        return states
    }

    static func reply(_ file: String) throws -> ([UInt8], ResponseFrame, DuplicationQueryResponse) {
        let bytes = try GoldenVectors.bytes(file)
        var input = ByteBuffer(bytes: bytes)
        let frame = try ResponseFrame.read(from: &input)
        #expect(input.readableBytes == 0)
        #expect(frame.errorName == "ERR_OK")
        #expect(frame.message == ThriftMessageHeader(name: "RPC_CM_QUERY_DUPLICATION_ACK", type: .reply, seqid: 3))
        let response = try frame.decodeResult(DuplicationQueryResponse.self)
        let rebuilt = ResponseFrame.reply(requestName: RpcName.queryDuplication, seqid: 3, result: response)
        var out = ByteBuffer()
        rebuilt.encode(into: &out)
        #expect(Array(out.readableBytesView) == bytes)
        return (bytes, frame, response)
    }

    @Test("master shape: fields 1-4, 7, 8, 9, 11")
    func master() throws {
        let (bytes, _, response) = try Self.reply("resp_query_dup_ok_master.hex")
        #expect(bytes.count == 451)
        var entryA = Self.entryA
        entryA.remoteAppName = "temp"
        entryA.remoteReplicaCount = 3
        entryA.partitionStates = Self.states([(95, 100), (200, 200), (280, 300), (-1, 400)])
        var entryB = Self.entryB
        entryB.remoteAppName = "temp_bak"
        entryB.remoteReplicaCount = 2
        entryB.partitionStates = Self.states([(50, 100), (150, 200), (250, 300), (350, 400)])
        #expect(response == DuplicationQueryResponse(err: .ok, appId: 2, entries: [entryA, entryB]))
    }

    @Test("v2.5 shape: fields 1-4 and 7")
    func v25() throws {
        let (bytes, _, response) = try Self.reply("resp_query_dup_ok_v25.hex")
        #expect(bytes.count == 177)
        #expect(response == DuplicationQueryResponse(err: .ok, appId: 2, entries: [Self.entryA, Self.entryB]))
    }

    @Test("progress shape: fields 1-5 and 7")
    func progress() throws {
        let (bytes, _, response) = try Self.reply("resp_query_dup_ok_progress.hex")
        #expect(bytes.count == 291)
        var entryA = Self.entryA
        entryA.progress = [0: 95, 1: 200, 2: 280, 3: -1]
        var entryB = Self.entryB
        entryB.progress = [0: 50, 1: 150, 2: 250, 3: 350]
        #expect(response == DuplicationQueryResponse(err: .ok, appId: 2, entries: [entryA, entryB]))
    }

    @Test(
        "app not exist and forward replies",
        arguments: [
            ("resp_query_dup_app_not_exist.hex", ErrorCode.appNotExist, 98),
            ("resp_query_dup_forward.hex", ErrorCode.forwardToOthers, 102),
        ])
    func errors(file: String, err: ErrorCode, size: Int) throws {
        let (bytes, frame, response) = try Self.reply(file)
        #expect(bytes.count == size)
        #expect(response == DuplicationQueryResponse(err: err, appId: 0, entries: []))
        var reader = ThriftReader(frame.body)
        try reader.enterResultSuccess()
        #expect(try reader.peekErrorField(schemas: [1: .errorCode, 3: .i32, 4: .list(DuplicationEntry.schema)]) == err)
    }
}

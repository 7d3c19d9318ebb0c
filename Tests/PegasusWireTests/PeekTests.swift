import NIOCore
import PegasusWire
import Testing

@Suite("QueryConfigResponse peeks")
struct PeekTests {
    static func body(_ file: String) throws -> ByteBuffer {
        var input = try GoldenVectors.buffer(file)
        return try ResponseFrame.read(from: &input).body
    }

    @Test(
        "forward replies name the leader",
        arguments: [
            "resp_query_cfg_forward.hex", "resp_query_cfg_forward_flags.hex", "resp_query_cfg_forward_hostport.hex",
        ])
    func forward(file: String) throws {
        let peek = try QueryConfigResponse.peekForward(body: try Self.body(file))
        #expect(peek.err == .forwardToOthers)
        #expect(peek.leader == RpcAddress(parsing: "127.0.0.1:34601"))
        #expect(peek.leader?.description == "127.0.0.1:34601")
        if file.contains("hostport") {
            #expect(peek.leaderHostPort == HostPort(host: "localhost", port: 34601))
        } else {
            #expect(peek.leaderHostPort == nil)
        }
        #expect(try QueryConfigResponse.peekError(body: try Self.body(file)) == .forwardToOthers)
    }

    @Test(
        "other replies give their err",
        arguments: [
            ("resp_query_cfg_ok.hex", ErrorCode.ok),
            ("resp_query_cfg_ok_flags.hex", ErrorCode.ok),
            ("resp_query_cfg_ok_hostport.hex", ErrorCode.ok),
            ("resp_query_cfg_not_found.hex", ErrorCode.objectNotFound),
        ])
    func others(file: String, err: ErrorCode) throws {
        let body = try Self.body(file)
        let peek = try QueryConfigResponse.peekForward(body: body)
        #expect(peek.err == err)
        #expect(try QueryConfigResponse.peekError(body: body) == err)
        if err == .ok {
            // partitions[0] of the data set: primary 34801.
            #expect(peek.leader?.description == "127.0.0.1:34801")
        } else {
            #expect(peek.leader == nil)
        }
    }

    @Test("peek works when err comes after the partitions and an unknown field")
    func errLast() throws {
        var body = ByteBuffer()
        body.writeThriftFieldHeader(.struct, id: 0)
        body.writeThriftField(4, true)
        let partitions = [
            PartitionConfiguration(
                primary: RpcAddress(ipv4: 0x0a01_0203, port: 34601),
                hpPrimary: HostPort(host: "meta1", port: 34601),
                hpSecondaries: [HostPort(host: "x", port: 1)],
                hpLastDrops: []
            ),
            PartitionConfiguration(hpPrimary: HostPort(host: "y", port: 2)),
        ]
        body.writeThriftField(5, list: partitions)
        body.writeThriftField(9, Int64(7))  // an unknown field of a real Thrift type
        body.writeThriftField(1, ErrorCode.forwardToOthers)
        body.writeThriftStop()
        body.writeThriftStop()
        let peek = try QueryConfigResponse.peekForward(body: body)
        #expect(peek.err == .forwardToOthers)
        #expect(peek.leader?.description == "10.1.2.3:34601")
        #expect(peek.leaderHostPort == HostPort(host: "meta1", port: 34601))
        #expect(try QueryConfigResponse.peekError(body: body) == .forwardToOthers)
    }

    @Test("an empty body or a result without field 0 is a missing field")
    func missingResult() throws {
        #expect {
            try QueryConfigResponse.peekForward(body: ByteBuffer())
        } throws: { ($0 as? WireError)?.code == .missingField }
        var body = ByteBuffer()
        body.writeThriftField(1, Int32(5))
        body.writeThriftStop()
        #expect {
            try QueryConfigResponse.peekError(body: body)
        } throws: { ($0 as? WireError)?.code == .missingField }
    }
}

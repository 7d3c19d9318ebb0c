import NIOCore
import PegasusWire
import Testing

@Suite("rDSN placeholder types")
struct PlaceholderTypeTests {
    func bytes(_ value: some ThriftEncodable) -> [UInt8] {
        var buffer = ByteBuffer()
        value.write(to: &buffer)
        return Array(buffer.readableBytesView)
    }

    @Test("rpc_address packs ip, port and type 1 into an i64 (docs/pegasus-reference.md §5.1)")
    func rpcAddress() throws {
        let address = try #require(RpcAddress(parsing: "10.1.2.3:34601"))
        #expect(bytes(address) == [0x0a, 0x01, 0x02, 0x03, 0x87, 0x29, 0x00, 0x01])
        #expect(address.ipv4 == 0x0a01_0203)
        #expect(address.port == 34601)
        #expect(address.addressType == 1)
        #expect(!address.isInvalid)
        #expect(address.description == "10.1.2.3:34601")
        #expect(RpcAddress(ipv4: 0x7f00_0001, port: 34601).rawValue == 0x7f00_0001_8729_0001)
        #expect(RpcAddress.invalid.isInvalid)
        #expect(RpcAddress.invalid.description == "invalid address")
    }

    @Test(
        "rpc_address parsing rejects anything but a.b.c.d:port",
        arguments: [
            "", "1.2.3.4", "1.2.3:5", "1.2.3.4.5:6", "256.0.0.1:1", "1.2.3.4:65536", "1.2.3.4:-1", "host:80",
            "1..3.4:5", "[::1]:80", "1.2.3.4:", ":80", "0001.2.3.4:5", "+1.2.3.4:5", "1.2.3.4:+5", " 1.2.3.4:5",
        ])
    func rpcAddressParsingRejects(text: String) {
        #expect(RpcAddress(parsing: text) == nil)
    }

    @Test("host_port is a string, an i16 port and a type byte, no struct framing")
    func hostPort() throws {
        let value = try #require(HostPort(parsing: "localhost:34601"))
        #expect(value == HostPort(host: "localhost", port: 34601, type: 1))
        #expect(bytes(value) == [0, 0, 0, 9] + Array("localhost".utf8) + [0x87, 0x29, 0x01])
        #expect(value.description == "localhost:34601")
        #expect(HostPort(parsing: "localhost") == nil)
        #expect(HostPort(parsing: ":1") == nil)
        #expect(HostPort(parsing: "h:70000") == nil)
        #expect(HostPort(parsing: "h:+1") == nil)
        #expect(HostPort(host: "", port: 0, type: 0).isInvalid)
    }

    @Test("gpid puts the partition index in the high half (first in big-endian bytes)")
    func gpid() {
        let pid = Gpid(appId: 2, partitionIndex: 1)
        #expect(bytes(pid) == [0, 0, 0, 1, 0, 0, 0, 2])
        #expect(pid.rawValue == 0x0000_0001_0000_0002)
        #expect(Gpid(rawValue: -1) == Gpid(appId: -1, partitionIndex: -1))
        #expect(Gpid(appId: -1, partitionIndex: 0).rawValue == 0x0000_0000_ffff_ffff)
        #expect(pid.description == "2.1")
    }

    @Test("error_code is a bare string")
    func errorCode() {
        #expect(bytes(ErrorCode.ok) == [0, 0, 0, 6] + Array("ERR_OK".utf8))
        #expect(ErrorCode.commonToAllClients.count == 56)
        #expect(ErrorCode.ok.isCommonToAllClients)
        #expect(ErrorCode.objectNotFound.isCommonToAllClients)
        #expect(ErrorCode.zookeeperOperation.isCommonToAllClients)
        #expect(!ErrorCode.aclDeny.isCommonToAllClients)
        #expect(!ErrorCode.underRecovery.isCommonToAllClients)
        #expect(!ErrorCode.networkFailure.isCommonToAllClients)
        #expect(!ErrorCode("ERR_RETRY_EXHAUSTED").isCommonToAllClients)
        let names: [ErrorCode] = [
            .ok, .timeout, .forwardToOthers, .objectNotFound, .handlerNotFound, .zookeeperOperation, .invalidData,
            .busyCreating, .busyDropping, .serviceNotActive, .appNotExist, .unknown, .invalidState, .busy,
        ]
        for name in names {
            #expect(name.isCommonToAllClients, "\(name)")
        }
    }

    @Test("placeholder fields are skipped by schema, where a generic skip derails")
    func schemaSkip() throws {
        var buffer = ByteBuffer()
        PartitionConfiguration(
            pid: Gpid(appId: 2, partitionIndex: 1),
            primary: RpcAddress(ipv4: 0x7f00_0001, port: 34601),
            hpPrimary: HostPort(host: "localhost", port: 34601),
            hpSecondaries: [HostPort(host: "a", port: 1)]
        ).write(to: &buffer)
        buffer.writeThriftI32(0x5eed)
        var bySchema = ThriftReader(buffer)
        try bySchema.skip(PartitionConfiguration.schema)
        #expect(try bySchema.readI32() == 0x5eed)

        var generic = ThriftReader(buffer)
        var derailed = false
        do {
            try generic.skip(.struct)
            derailed = generic.remainingBytes != 4
        } catch {
            derailed = true
        }
        #expect(derailed)
    }

    @Test("enum wrappers keep unknown values and name known ones")
    func enums() throws {
        #expect(AppStatus.available.description == "AS_AVAILABLE")
        #expect(AppStatus(rawValue: 42).description == "42")
        #expect(DuplicationStatus.log.description == "DS_LOG")
        #expect(DuplicationFailMode.skip.description == "FAIL_SKIP")
        #expect(NegotiationStatus.saslAuthDisable.description == "SASL_AUTH_DISABLE")
        #expect(PatternMatchType.prefix.rawValue == 4)
        #expect(DuplicationMode.incremental.rawValue == 1)
    }
}

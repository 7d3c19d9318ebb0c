import NIOCore
import PegasusWire
import Testing

/// CRC-32C, the header fields' types and the builders, apart from the golden frames.
@Suite("RDSN header, CRC-32C and builders")
struct RdsnHeaderTests {
    @Test("CRC-32C matches the published check values")
    func checkValues() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xe306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8a91_36aa)
        #expect(CRC32C.checksum([UInt8](repeating: 0xff, count: 32)) == 0x62a8_ab43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46dd_794e)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum(ByteBuffer(string: "123456789")) == 0xe306_9283)
    }

    @Test("CRC-32C chains like rDSN's crc32_calc with an initial value")
    func chaining() {
        let first = CRC32C.checksum(Array("12345".utf8))
        #expect(CRC32C.checksum(Array("6789".utf8), continuing: first) == 0xe306_9283)
        var buffer = ByteBuffer(string: "xx123456789")
        buffer.moveReaderIndex(forwardBy: 2)
        #expect(CRC32C.checksum(buffer) == 0xe306_9283)
    }

    @Test("the header is 192 bytes and writes every field at its documented offset")
    func offsets() throws {
        let header = RdsnHeader(
            hdrCRC32: 0x0c0c_0c0c,
            bodyLength: 0x1010_1010,
            bodyCRC32: 0x1414_1414,
            id: 0x1818_1818_1818_1818,
            traceId: 0x2020_2020_2020_2020,
            rpcName: "N",
            rpcCode: RdsnFastCode(localCode: 0x5858_5858, localHash: 0x5c5c_5c5c),
            gpid: Gpid(appId: 0x6060_6060, partitionIndex: 0x6464_6464),
            context: RdsnMessageContext(rawValue: 0x6868_6868_6868_6868),
            fromAddress: RpcAddress(rawValue: 0x7070_7070_7070_7070),
            clientTimeoutMs: 0x7878_7878,
            clientThreadHash: 0x7c7c_7c7c,
            clientPartitionHash: 0x8080_8080_8080_8080,
            errorName: "E",
            errorCode: RdsnFastCode(localCode: 0xb8b8_b8b8, localHash: 0xbcbc_bcbc)
        )
        var buffer = ByteBuffer()
        header.write(into: &buffer)
        #expect(buffer.readableBytes == RdsnHeader.size)
        let bytes = Array(buffer.readableBytesView)
        // Each filler byte names its field's offset (in hex), so a shifted field shows.
        for offset in [12, 16, 20, 24, 32, 88, 92, 96, 100, 104, 112, 120, 124, 128, 184, 188] {
            #expect(bytes[offset] == UInt8(offset), "offset \(offset)")
        }
        #expect(bytes[40] == UInt8(ascii: "N"))
        #expect(bytes[41..<88].allSatisfy { $0 == 0 })
        #expect(bytes[136] == UInt8(ascii: "E"))
        #expect(bytes[137..<184].allSatisfy { $0 == 0 })
        #expect(try RdsnHeader(peeking: buffer) == header)
    }

    @Test("names are cut to 47 bytes and keep stray bytes after the terminator")
    func names() {
        let long = String(repeating: "A", count: 60)
        #expect(RdsnName(long).text.utf8.count == 47)
        #expect(RdsnName(long).bytes.count == 48)
        #expect(RdsnName(long).bytes[47] == 0)
        #expect(RdsnName("AB\u{0}CD").text == "AB")
        let raw = RdsnName(bytes: Array("OK".utf8) + [0, 0x55])
        #expect(raw.text == "OK")
        #expect(raw.bytes[3] == 0x55)
        #expect(raw != RdsnName("OK"))
    }

    @Test("context bits sit where GCC puts them")
    func contextBits() {
        #expect(RdsnMessageContext(isRequest: true).rawValue == 0x41)
        #expect(RdsnMessageContext.clientRequest.rawValue == 0x441)
        #expect(RdsnMessageContext(isRequest: false, isForwarded: true, serializeFormat: .invalid).rawValue == 0x2)
        #expect(RdsnMessageContext(isRequest: false, serializeFormat: .json).rawValue == 6 << 6)
        #expect(
            RdsnMessageContext(isRequest: false, serializeFormat: .invalid, isBackupRequest: true).rawValue == 0x800
        )
        var context = RdsnMessageContext(rawValue: 0xffff_f000_0000_0000)
        context.isRequest = true
        context.serializeFormat = .thriftJSON
        #expect(context.rawValue == 0xffff_f000_0000_00c1)
        #expect(context.serializeFormat.description == "DSF_THRIFT_JSON")
    }

    @Test("a reply copies the request's identity and clears the request bits")
    func replyHeader() {
        let request = RdsnFrame.request(
            name: RpcName.listApps,
            id: 9,
            traceId: 7,
            gpid: Gpid(appId: 3, partitionIndex: 1),
            timeoutMs: 1000,
            threadHash: 5,
            partitionHash: 11,
            from: RdsnGoldenFrames.clientAddress,
            body: RdsnFrame.body(wrapping: ListAppsRequest())
        )
        var forwarded = request
        forwarded.header.context.isForwarded = true
        let reply = RdsnFrame.reply(to: forwarded, result: ListAppsResponse())
        #expect(reply.header.id == 9)
        #expect(reply.header.traceId == 7)
        #expect(reply.header.gpid == Gpid(appId: 3, partitionIndex: 1))
        #expect(reply.header.clientTimeoutMs == 1000)
        #expect(reply.header.clientThreadHash == 5)
        #expect(reply.header.clientPartitionHash == 11)
        #expect(reply.header.rpcName.text == "RPC_CM_LIST_APPS_ACK")
        #expect(reply.header.errorName.text == "ERR_OK")
        #expect(reply.header.fromAddress == .invalid)
        #expect(reply.header.context.rawValue == 0x440)
        #expect(reply.header.bodyLength == UInt32(reply.body.readableBytes))
        #expect(Array(reply.body.readableBytesView.prefix(3)) == [0x0c, 0x00, 0x00])
    }

    @Test("decodeBody refuses an empty wrapper and a second field")
    func decodeBodyShapes() throws {
        var frame = RdsnFrame.request(name: "X", id: 1, timeoutMs: 0, body: ByteBuffer(bytes: [0x00]))
        #expect(
            (#expect(throws: WireError.self) { try frame.decodeBody(QueryConfigRequest.self) })?.code == .missingField
        )
        frame.body = ByteBuffer(bytes: [0x0c, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0, 0, 0, 0, 0x00])
        let error = #expect(throws: WireError.self) { try frame.decodeBody(QueryConfigRequest.self) }
        #expect(error?.code == .invalidValue)
        #expect(error?.offset == RdsnHeader.size + 4)
    }
}

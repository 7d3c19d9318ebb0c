import Foundation
import NIOCore
import PegasusWire
import Testing

/// The hand-built golden RDSN frames decode to the documented values and re-encode byte for byte.
@Suite("RDSN golden frames")
struct RdsnGoldenTests {
    @Test("the C++ client's query_config request decodes to the documented fields")
    func requestFields() throws {
        var input = ByteBuffer(bytes: RdsnGoldenFrames.request)
        let frame = try RdsnFrame.read(from: &input)
        #expect(input.readableBytes == 0)
        let header = frame.header
        #expect(header.hdrType == RdsnHeader.magic)
        #expect(header.hdrVersion == 0)
        #expect(header.hdrLength == 192)
        #expect(header.hdrCRC32 == 0)
        #expect(header.bodyLength == 24)
        #expect(header.bodyCRC32 == 0)
        #expect(header.id == 258)
        #expect(header.traceId == 0x1122_3344_5566_7788)
        #expect(header.rpcName.text == RpcName.queryConfig)
        #expect(header.rpcCode == RdsnFastCode(localCode: 0x123, localHash: 0))
        #expect(header.gpid == Gpid(appId: 0, partitionIndex: 0))
        #expect(header.context.rawValue == 0x441)
        #expect(header.context == .clientRequest)
        #expect(header.context.isRequest)
        #expect(!header.context.isForwarded)
        #expect(header.context.serializeFormat == .thriftBinary)
        #expect(header.context.isForwardSupported)
        #expect(!header.context.isBackupRequest)
        #expect(header.fromAddress == RdsnGoldenFrames.clientAddress)
        #expect(header.fromAddress.description == "10.1.2.3:1")
        #expect(header.clientTimeoutMs == 5000)
        #expect(header.clientThreadHash == 0)
        #expect(header.clientPartitionHash == 0)
        #expect(header.errorName == .empty)
        #expect(header.errorCode == .byName)
        #expect(Array(frame.body.readableBytesView) == RdsnGoldenFrames.requestBody)
        #expect(try frame.decodeBody(QueryConfigRequest.self) == QueryConfigRequest(appName: "temp"))
    }

    @Test("the request re-encodes byte for byte, with and without CRCs")
    func requestEncodes() throws {
        for (bytes, checksums) in [
            (RdsnGoldenFrames.request, RdsnChecksums.none), (RdsnGoldenFrames.requestWithChecksums, .compute),
        ] {
            var input = ByteBuffer(bytes: bytes)
            let frame = try RdsnFrame.read(from: &input)
            var output = ByteBuffer()
            frame.encode(into: &output, checksums: checksums)
            #expect(Array(output.readableBytesView) == bytes)
        }
    }

    @Test("the request with CRCs carries the documented CRC values")
    func requestChecksums() throws {
        var input = ByteBuffer(bytes: RdsnGoldenFrames.requestWithChecksums)
        let frame = try RdsnFrame.read(from: &input)
        #expect(frame.header.hdrCRC32 == 0x1e47_4995)
        #expect(frame.header.bodyCRC32 == 0xb47a_9c7b)
        #expect(CRC32C.checksum(RdsnGoldenFrames.requestBody) == 0xb47a_9c7b)
        var plainInput = ByteBuffer(bytes: RdsnGoldenFrames.request)
        var expected = try RdsnFrame.read(from: &plainInput).header
        expected.hdrCRC32 = 0x1e47_4995
        expected.bodyCRC32 = 0xb47a_9c7b
        #expect(frame.header == expected)
    }

    @Test("the request builder reproduces the C++ client's bytes")
    func requestBuilder() throws {
        var frame = RdsnFrame.request(
            name: RpcName.queryConfig,
            id: 258,
            traceId: 0x1122_3344_5566_7788,
            timeoutMs: 5000,
            from: RdsnGoldenFrames.clientAddress,
            body: RdsnFrame.body(wrapping: QueryConfigRequest(appName: "temp"))
        )
        frame.header.rpcCode = RdsnFastCode(localCode: 0x123, localHash: 0)
        var plain = ByteBuffer()
        frame.encode(into: &plain, checksums: .none)
        #expect(Array(plain.readableBytesView) == RdsnGoldenFrames.request)
        var checked = ByteBuffer()
        frame.encode(into: &checked)
        #expect(Array(checked.readableBytesView) == RdsnGoldenFrames.requestWithChecksums)
    }

    @Test("the reply decodes to the documented fields and its body to the MetaServer's answer")
    func replyFields() throws {
        var input = ByteBuffer(bytes: try RdsnGoldenFrames.reply())
        let frame = try RdsnFrame.read(from: &input)
        let header = frame.header
        #expect(header.hdrType == RdsnHeader.magic)
        #expect(header.hdrVersion == 0)
        #expect(header.hdrLength == 192)
        #expect(header.hdrCRC32 == 0x0648_2af6)
        #expect(header.bodyLength == 408)
        #expect(header.bodyCRC32 == 0x75cb_8389)
        #expect(header.id == 258)
        #expect(header.traceId == 0x1122_3344_5566_7788)
        #expect(header.rpcName.text == "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK")
        #expect(header.rpcCode == .byName)
        #expect(header.gpid == Gpid(appId: 0, partitionIndex: 0))
        #expect(header.context.rawValue == 0x440)
        #expect(!header.context.isRequest)
        #expect(header.fromAddress.description == "10.1.2.100:34601")
        #expect(header.clientTimeoutMs == 5000)
        #expect(header.errorName.text == "ERR_OK")
        #expect(header.errorCode == .byName)
        let response = try frame.decodeBody(QueryConfigResponse.self)
        #expect(response.err == .ok)
        #expect(response.appId == 2)
        #expect(response.partitionCount == 4)
        #expect(response.isStateful)
        #expect(response.partitions.map(\.pid.partitionIndex) == [0, 1, 2, 3])
        #expect(response.partitions.map(\.primary.port) == [34801, 34802, 34803, 34801])
    }

    @Test("the reply builder reproduces the golden reply byte for byte")
    func replyBuilder() throws {
        var input = ByteBuffer(bytes: RdsnGoldenFrames.request)
        let request = try RdsnFrame.read(from: &input)
        let reply = RdsnFrame.reply(
            to: request,
            errorName: "ERR_OK",
            body: ByteBuffer(bytes: try RdsnGoldenFrames.replyBody()),
            from: RdsnGoldenFrames.proxyAddress
        )
        var output = ByteBuffer()
        reply.encode(into: &output)
        #expect(Array(output.readableBytesView) == (try RdsnGoldenFrames.reply()))
    }

    @Test("the golden frames' CRCs agree with the independent Python implementation")
    func pythonCrossCheck() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("rdsn-crc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        var files: [String] = []
        for (name, bytes) in [
            ("request", RdsnGoldenFrames.request), ("request_crc", RdsnGoldenFrames.requestWithChecksums),
            ("reply", try RdsnGoldenFrames.reply()),
        ] {
            let url = directory.appendingPathComponent("\(name).hex")
            try RdsnGoldenFrames.hex(bytes).write(to: url, atomically: true, encoding: .utf8)
            files.append(url.path)
        }
        let good = try Self.runChecker(files)
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.split(separator: "\n").filter { $0.hasPrefix("OK ") }.count == 3)
        #expect(good.output.contains("hdr_crc32=0x1e474995 checked, body_crc32=0xb47a9c7b checked"))
        #expect(good.output.contains("hdr_crc32=0x06482af6 checked, body_crc32=0x75cb8389 checked"))

        // The checker must reject a frame whose header no longer matches its CRC.
        var corrupt = RdsnGoldenFrames.requestWithChecksums
        corrupt[RdsnHeader.Offset.rpcName] ^= 0x01
        let url = directory.appendingPathComponent("corrupt.hex")
        try RdsnGoldenFrames.hex(corrupt).write(to: url, atomically: true, encoding: .utf8)
        let bad = try Self.runChecker([url.path])
        #expect(bad.status == 1)
        #expect(bad.output.hasPrefix("FAIL "))
    }

    /// Runs `integration/tools/rdsn_crc_check.py` on `files`.
    static func runChecker(_ files: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", checkerPath.path] + files
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `<repo root>/integration/tools/rdsn_crc_check.py`; this file is `<repo root>/Tests/PegasusWireTests/…`.
    static let checkerPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("integration/tools/rdsn_crc_check.py")
}

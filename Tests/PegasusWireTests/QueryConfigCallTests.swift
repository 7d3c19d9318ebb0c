import NIOCore
import Testing

@testable import PegasusWire

/// The one-pass query-config read (``RequestFrameDecoder/decodeNext(buffer:)``) answers exactly
/// what the general decoder answers, and leaves every other layout to it.
@Suite struct QueryConfigCallTests {
    static func frame(
        table: String, partitions: [Int32] = [], seqid: Int32 = 9, timeout: Int32 = 3000, version: RequestHeader.Version = .v0,
        metaFields: RequestHeader.MetaFields = .all
    ) -> ByteBuffer {
        var buffer = ByteBuffer()
        RequestFrame.make(
            header: RequestHeader(version: version, clientTimeout: timeout, partitionHash: 77, metaFields: metaFields),
            name: RpcName.queryConfig, seqid: seqid,
            args: QueryConfigRequest(appName: table, partitionIndices: partitions)
        ).encode(into: &buffer)
        return buffer
    }

    /// What the general decoder reads from `bytes`: table, seqid, timeout, args; `nil` if it throws.
    static func general(_ bytes: ByteBuffer) -> (String, Int32, Int32, ByteBuffer, Int)? {
        var copy = bytes
        guard let frame = try? RequestFrame.read(from: &copy), frame.message.name == RpcName.queryConfig,
            let request = try? frame.decodeArgs(QueryConfigRequest.self)
        else { return nil }
        return (request.appName, frame.message.seqid, frame.header.clientTimeout, frame.args, copy.readerIndex)
    }

    @Test(arguments: ["t01", "", "a_table_with_a_rather_long_name_" + String(repeating: "x", count: 200), "表名"])
    func usualLayoutIsReadInOnePass(table: String) throws {
        let headers: [(RequestHeader.Version, RequestHeader.MetaFields)] = [
            (.v0, .all), (.v1, .all), (.v1, []), (.v1, [.clientTimeout]), (.v1, [.appId, .isBackupRequest]),
        ]
        for partitions in [[], [0], [3, 1, 2]] as [[Int32]] {
            for (version, fields) in headers {
                let frame = Self.frame(table: table, partitions: partitions, seqid: -5, timeout: 1234, version: version, metaFields: fields)
                var bytes = frame
                bytes.writeString("next")  // the next frame's first bytes stay unread
                var decoder = RequestFrameDecoder(maxFrameBytes: 1 << 20)
                guard case .queryConfig(let call) = try decoder.decodeNext(buffer: &bytes) else {
                    Issue.record("not read in one pass: \(table) \(partitions) \(version) \(fields)")
                    continue
                }
                let general = try #require(Self.general(frame))
                #expect(call.table == table && call.seqid == -5)
                #expect(call.clientTimeout == general.2)
                #expect(call.clientTimeout == (version == .v1 && !fields.contains(.clientTimeout) ? 0 : 1234))
                #expect(bytes.readableBytes == 4)
                #expect(call.args == general.3)
            }
        }
    }

    @Test func otherLayoutsGoToTheGeneralDecoder() throws {
        var decoder = RequestFrameDecoder(maxFrameBytes: 1 << 20)
        // A request struct with a field the IDL does not have (the general decoder skips it).
        var args = ByteBuffer()
        args.writeThriftFieldHeader(.struct, id: 1)
        args.writeThriftField(1, "t01")
        args.writeThriftField(9, Int32(5))
        args.writeThriftStop()
        args.writeThriftStop()
        var unusual = ByteBuffer()
        RequestFrame.make(header: RequestHeader(), name: RpcName.queryConfig, seqid: 3, rawArgs: args).encode(into: &unusual)
        guard case .frame(let frame) = try decoder.decodeNext(buffer: &unusual) else {
            Issue.record("an unusual layout is read by the general decoder")
            return
        }
        #expect(try frame.decodeArgs(QueryConfigRequest.self).appName == "t01")
        var other = ByteBuffer()
        RequestFrame.make(header: RequestHeader(), name: RpcName.listApps, seqid: 1, args: ListAppsRequest()).encode(into: &other)
        guard case .frame = try decoder.decodeNext(buffer: &other) else {
            Issue.record("another RPC is read by the general decoder")
            return
        }
        var partial = Self.frame(table: "t01")
        partial.moveWriterIndex(to: partial.writerIndex - 1)
        #expect(try decoder.decodeNext(buffer: &partial) == nil)
    }

    /// Every single-byte change of a valid frame: whatever the one-pass read accepts, the general
    /// decoder reads the same way.
    @Test(arguments: [RequestHeader.Version.v0, .v1])
    func mutatedFramesAgreeWithTheGeneralDecoder(version: RequestHeader.Version) throws {
        let original = Self.frame(table: "t01", partitions: [7, 8], version: version)
        var onePass = 0
        for index in 0..<original.readableBytes {
            for value: UInt8 in [0x00, 0x01, 0x02, 0x08, 0x0B, 0x0C, 0x0F, 0x7F, 0x80, 0xFF] {
                var bytes = original
                bytes.setInteger(value, at: index)
                var decoder = RequestFrameDecoder(maxFrameBytes: 1 << 20)
                var input = bytes
                guard case .queryConfig(let call)? = try? decoder.decodeNext(buffer: &input) else { continue }
                onePass += 1
                let general = try #require(Self.general(bytes), "byte \(index) = \(value): the general decoder rejects it")
                #expect(call.table == general.0 && call.seqid == general.1 && call.clientTimeout == general.2)
                #expect(call.args == general.3)
                #expect(input.readerIndex == general.4)
            }
        }
        #expect(onePass > 0)
    }
}

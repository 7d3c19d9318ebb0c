import NIOCore
import Testing

@testable import PegasusWire

/// The frame templates write exactly the bytes of the general writers they stand in for.
@Suite struct FrameTemplateTests {
    static let argsSamples: [ByteBuffer] = [
        ByteBuffer(),
        ByteBuffer(bytes: [0x0C, 0x00, 0x01, 0x0B, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x74, 0x30, 0x31, 0x00, 0x00]),
        ByteBuffer(bytes: Array(repeating: 0xAB, count: 700)),
    ]

    @Test(arguments: [RpcName.queryConfig, "RPC_CM_LIST_APPS", "", "x"])
    func requestTemplateMatchesRequestFrameWrite(name: String) {
        let template = name == RpcName.queryConfig ? RequestFrameTemplate.queryConfig : RequestFrameTemplate(name: name)
        for args in Self.argsSamples {
            for (seqid, timeout) in [(Int32(1), Int32(0)), (Int32.max, Int32(2999)), (Int32(-7), Int32.min)] {
                var expected = ByteBuffer()
                RequestFrame.write(header: RequestHeader(clientTimeout: timeout), name: name, seqid: seqid, args: args, into: &expected)
                // Written after other bytes, into a buffer too small for it: the template must grow it.
                var written = ByteBufferAllocator().buffer(capacity: 1)
                written.writeString("pre")
                template.write(seqid: seqid, clientTimeoutMs: timeout, args: args, into: &written)
                #expect(written.readString(length: 3) == "pre")
                #expect(written == expected)
                #expect(template.frameLength(argsLength: args.readableBytes) == expected.readableBytes)
                // It decodes back to what was written.
                var copy = written
                let frame = try? RequestFrame.read(from: &copy)
                #expect(frame?.message.name == name)
                #expect(frame?.message.seqid == seqid)
                #expect(frame?.header.clientTimeout == timeout)
                #expect(frame?.args == args)
            }
        }
    }

    @Test(arguments: [
        (ErrorCode.ok.name, RpcName.queryConfigAck), (ErrorCode.forwardToOthers.name, RpcName.queryConfigAck), ("", ""),
    ])
    func responseTemplateMatchesResponseFrameWrite(errorName: String, name: String) throws {
        let template = ResponseFrameTemplate(errorName: errorName, name: name)
        #expect(template.matches(errorName: errorName, name: name))
        #expect(!template.matches(errorName: errorName + "X", name: name))
        for body in Self.argsSamples + [nil] as [ByteBuffer?] {
            var expected = ByteBuffer()
            ResponseFrame.write(errorName: errorName, name: name, seqid: 42, body: body, into: &expected)
            var written = ByteBufferAllocator().buffer(capacity: 0)
            template.write(seqid: 42, body: body, into: &written)
            #expect(written == expected)
            let frame = try ResponseFrame.read(from: &written)
            #expect(frame.errorName == errorName && frame.message.name == name && frame.message.seqid == 42)
            #expect(frame.body == (body ?? ByteBuffer()))
        }
    }

    @Test func queryConfigOKIsTheCommonReply() {
        #expect(ResponseFrameTemplate.queryConfigOK.matches(errorName: "ERR_OK", name: "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK"))
        #expect(RequestFrameTemplate.queryConfig.name == "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX")
    }
}

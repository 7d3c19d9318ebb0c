import NIOCore
import Testing

@testable import PegasusWire

/// `writeUTF8` (one raw byte copy of a string's UTF-8) writes exactly what `writeString` writes.
@Suite("writeUTF8")
struct WriteUTF8Tests {
    @Test(
        "writes the same bytes as writeString",
        arguments: [
            "", "ERR_OK", RpcName.queryConfig, RpcName.queryConfigAck, "tàble_ñame_✓",
            String(repeating: "x", count: 300),
        ])
    func sameBytes(_ value: String) {
        var fast = ByteBuffer(bytes: [0xAA])
        fast.writeUTF8(value)
        var reference = ByteBuffer(bytes: [0xAA])
        reference.writeString(value)
        #expect(fast == reference)
    }

    @Test("a string decoded from bytes (native storage) and a substring copy are written whole")
    func nonLiteralStrings() {
        let decoded = String(decoding: Array("RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK".utf8), as: UTF8.self)
        let fromSubstring = String("__ERR_TIMEOUT__".dropFirst(2).dropLast(2))
        var buffer = ByteBuffer()
        buffer.writeUTF8(decoded)
        buffer.writeUTF8(fromSubstring)
        #expect(buffer.readString(length: buffer.readableBytes) == decoded + "ERR_TIMEOUT")
    }

    @Test("a reply written with ResponseFrame.write reads back with its names and seqid")
    func replyRoundTrip() throws {
        var buffer = ByteBuffer()
        ResponseFrame.write(
            errorName: "ERR_OK", name: RpcName.queryConfigAck, seqid: 77, body: ByteBuffer(bytes: [0x00]),
            into: &buffer)
        let frame = try ResponseFrame.read(from: &buffer)
        #expect(frame.errorName == "ERR_OK")
        #expect(frame.message.name == RpcName.queryConfigAck)
        #expect(frame.message.seqid == 77)
        #expect(buffer.readableBytes == 0)
    }
}

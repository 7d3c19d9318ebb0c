import NIOCore
import PegasusWire
import Testing

/// Message names: the query-config names are read as shared constants, every other name (also one
/// of the same length) as written.
@Suite("Message names")
struct MessageNameTests {
    static func readBack(_ name: String, strict: Bool) throws -> ThriftMessageHeader {
        var buffer = ByteBuffer()
        if strict {
            buffer.writeThriftMessageBegin(ThriftMessageHeader(name: name, type: .call, seqid: 9))
        } else {
            buffer.writeInteger(Int32(name.utf8.count))
            buffer.writeString(name)
            buffer.writeInteger(ThriftMessageType.call.rawValue)
            buffer.writeInteger(Int32(9))
        }
        var reader = ThriftReader(buffer)
        let header = try reader.readMessageBegin()
        #expect(reader.remainingBytes == 0)
        return header
    }

    @Test("query-config names, names of the same length and other names read back as written", arguments: [true, false])
    func namesReadBack(strict: Bool) throws {
        let sameLengthAsRequest = String(RpcName.queryConfig.dropLast()) + "Y"
        let sameLengthAsAck = "X" + String(RpcName.queryConfigAck.dropFirst())
        for name in [RpcName.queryConfig, RpcName.queryConfigAck, sameLengthAsRequest, sameLengthAsAck, "RPC_CM_LIST_APPS", ""] {
            let header = try Self.readBack(name, strict: strict)
            #expect(header.name == name)
            #expect(header.seqid == 9)
            #expect(header.type == .call)
        }
    }

    @Test("the ack constant is the ack of query config")
    func ackConstant() {
        #expect(RpcName.queryConfigAck == RpcName.ack(RpcName.queryConfig))
    }
}

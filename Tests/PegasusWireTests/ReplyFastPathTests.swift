import NIOCore
import Testing

@testable import PegasusWire

/// The one-comparison reads of the usual MetaServer reply (``ResponseFrame/readQueryConfigOK``,
/// ``QueryConfigResponse/peekError(body:)``'s `ERR_OK` prefix) answer what the Thrift reads answer.
@Suite struct ReplyFastPathTests {
    static func reply(err: ErrorCode = .ok, seqid: Int32 = 11) -> ByteBuffer {
        var bytes = ByteBuffer()
        let response = QueryConfigResponse(err: err, appId: 3, partitionCount: 2)
        ResponseFrame.reply(requestName: RpcName.queryConfig, seqid: seqid, result: response).encode(into: &bytes)
        return bytes
    }

    @Test func usualReplyIsReadByTheFastPath() throws {
        for seqid: Int32 in [0, 1, -1, .max, .min] {
            let bytes = Self.reply(seqid: seqid)
            var input = bytes
            input.writeString("more")
            let total = try #require(try ResponseFrame.frameLength(peeking: input, maxFrameBytes: 1 << 20))
            let fast = try #require(ResponseFrame.readQueryConfigOK(from: &input, frameLength: total))
            var copy = bytes
            #expect(fast == (try ResponseFrame.read(from: &copy)))
            #expect(input.readableBytes == 4)
            #expect(try QueryConfigResponse.peekError(body: fast.body) == .ok)
        }
    }

    @Test func otherRepliesGoToTheGeneralReader() throws {
        var forward = Self.reply(err: .forwardToOthers)
        var decoder = ResponseFrameDecoder(maxFrameBytes: 1 << 20)
        let frame = try #require(try decoder.decode(buffer: &forward))
        #expect(try QueryConfigResponse.peekError(body: frame.body) == .forwardToOthers)
        var notFound = ByteBuffer()
        ResponseFrame.handlerNotFound(requestName: RpcName.queryConfig, seqid: 4).encode(into: &notFound)
        let total = try #require(try ResponseFrame.frameLength(peeking: notFound, maxFrameBytes: 1 << 20))
        #expect(ResponseFrame.readQueryConfigOK(from: &notFound, frameLength: total) == nil)
        #expect(try decoder.decode(buffer: &notFound)?.errorName == ErrorCode.handlerNotFound.name)
    }

    /// Every single-byte change of a reply: the decoder (fast path first) and the general reader
    /// agree, and so do the two ways of reading `err`.
    @Test func mutatedRepliesAgreeWithTheGeneralReader() throws {
        let original = Self.reply()
        for index in 4..<original.readableBytes {
            for value: UInt8 in [0x00, 0x01, 0x0B, 0x0C, 0x4F, 0x80, 0xFF] {
                var bytes = original
                bytes.setInteger(value, at: index)
                var decoder = ResponseFrameDecoder(maxFrameBytes: 1 << 20)
                var input = bytes
                var copy = bytes
                let decoded = try? decoder.decode(buffer: &input)
                let general = try? ResponseFrame.read(from: &copy)
                #expect(decoded == general, "byte \(index) = \(value)")
                guard let general else { continue }
                #expect(input.readerIndex == copy.readerIndex)
                var reader = ThriftReader(general.body)
                let slow = try? { () throws(WireError) -> ErrorCode in
                    try reader.enterResultSuccess()
                    return try reader.peekErrorField(schemas: [:])
                }()
                let peeked = try? QueryConfigResponse.peekError(body: general.body)
                if peeked == .ok { #expect(slow == .ok, "byte \(index) = \(value)") }
            }
        }
    }
}

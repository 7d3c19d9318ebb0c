import NIOCore
import NIOTestUtils
import PegasusWire
import Testing

/// Every strict prefix of a golden RDSN frame: the decoder waits (nil, nothing consumed), the
/// direct reader throws `.truncated`.
@Suite("RDSN truncation at every byte")
struct RdsnTruncationTests {
    static func frames() throws -> [[UInt8]] {
        [RdsnGoldenFrames.request, RdsnGoldenFrames.requestWithChecksums, try RdsnGoldenFrames.reply()]
    }

    @Test("every prefix of every golden frame")
    func prefixes() throws {
        for bytes in try Self.frames() {
            for length in 0..<bytes.count {
                var prefix = ByteBuffer(bytes: bytes[..<length])
                var decoder = RdsnFrameDecoder(maxFrameBytes: 1 << 20)
                #expect(try decoder.decode(buffer: &prefix) == nil, "prefix \(length)")
                #expect(prefix.readableBytes == length)
                #expect(try decoder.decodeLast(buffer: &prefix, seenEOF: true) == nil)
                let error = #expect(throws: WireError.self) { try RdsnFrame.read(from: &prefix) }
                #expect(error?.code == .truncated, "prefix \(length)")
                #expect(prefix.readableBytes == length)
            }
            var whole = ByteBuffer(bytes: bytes)
            var decoder = RdsnFrameDecoder(maxFrameBytes: 1 << 20)
            #expect(try decoder.decode(buffer: &whole) != nil)
            #expect(whole.readableBytes == 0)
        }
    }

    @Test("the decoder survives byte-by-byte, batched and back-to-back input")
    func verifier() throws {
        let frames = try Self.frames()
        var pairs: [(ByteBuffer, [RdsnFrame])] = []
        for bytes in frames {
            var input = ByteBuffer(bytes: bytes)
            pairs.append((ByteBuffer(bytes: bytes), [try RdsnFrame.read(from: &input)]))
        }
        var all = ByteBuffer(bytes: frames.flatMap { $0 })
        var expected: [RdsnFrame] = []
        while all.readableBytes > 0 {
            expected.append(try RdsnFrame.read(from: &all))
        }
        pairs.append((ByteBuffer(bytes: frames.flatMap { $0 }), expected))
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            RdsnFrameDecoder(maxFrameBytes: 1 << 20)
        }
    }

    @Test("every prefix of the body wrapper fails to decode as a typed error")
    func bodyPrefixes() throws {
        var input = ByteBuffer(bytes: try RdsnGoldenFrames.reply())
        let frame = try RdsnFrame.read(from: &input)
        let body = Array(frame.body.readableBytesView)
        for length in 0..<body.count {
            let cut = RdsnFrame(header: frame.header, body: ByteBuffer(bytes: body[..<length]))
            #expect(throws: WireError.self, "prefix \(length)") {
                _ = try cut.decodeBody(QueryConfigResponse.self)
            }
        }
    }
}

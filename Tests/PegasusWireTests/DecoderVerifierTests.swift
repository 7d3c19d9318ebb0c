import NIOCore
import NIOTestUtils
import PegasusWire
import Testing

/// NIOTestUtils' verifier feeds the input in every chunking (byte by byte, batched, shuffled).
@Suite("ByteToMessageDecoderVerifier")
struct DecoderVerifierTests {
    @Test("RequestFrameDecoder")
    func requestDecoder() throws {
        var pairs: [(ByteBuffer, [RequestFrame])] = []
        var all = ByteBuffer()
        var allFrames: [RequestFrame] = []
        for file in GoldenVectors.requestFiles {
            let bytes = try GoldenVectors.buffer(file)
            var copy = bytes
            let frame = try RequestFrame.read(from: &copy)
            pairs.append((bytes, [frame]))
            all.writeImmutableBuffer(bytes)
            allFrames.append(frame)
        }
        pairs.append((all, allFrames))
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            RequestFrameDecoder(maxFrameBytes: 4096)
        }
    }

    @Test("ResponseFrameDecoder")
    func responseDecoder() throws {
        var pairs: [(ByteBuffer, [ResponseFrame])] = []
        var all = ByteBuffer()
        var allFrames: [ResponseFrame] = []
        for file in GoldenVectors.responseFiles {
            let bytes = try GoldenVectors.buffer(file)
            var copy = bytes
            let frame = try ResponseFrame.read(from: &copy)
            pairs.append((bytes, [frame]))
            all.writeImmutableBuffer(bytes)
            allFrames.append(frame)
        }
        pairs.append((all, allFrames))
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            ResponseFrameDecoder(maxFrameBytes: 4096)
        }
    }
}

import NIOCore
import NIOTestUtils
import PegasusWire
import Testing

/// NIOTestUtils' verifier feeds the input in every chunking (byte by byte, batched, shuffled).
@Suite("ByteToMessageDecoderVerifier")
struct DecoderVerifierTests {
    /// Each golden file alone, then all of them back to back in one buffer.
    func verify<Decoder: ByteToMessageDecoder>(
        files: [String],
        read: (inout ByteBuffer) throws -> Decoder.InboundOut,
        decoder: @escaping () -> Decoder
    ) throws where Decoder.InboundOut: Equatable {
        var pairs: [(ByteBuffer, [Decoder.InboundOut])] = []
        var all = ByteBuffer()
        var allFrames: [Decoder.InboundOut] = []
        for file in files {
            let bytes = try GoldenVectors.buffer(file)
            var copy = bytes
            let frame = try read(&copy)
            pairs.append((bytes, [frame]))
            all.writeImmutableBuffer(bytes)
            allFrames.append(frame)
        }
        pairs.append((all, allFrames))
        #expect(pairs.count == files.count + 1, "every golden vector, then all of them back to back")
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs, decoderFactory: decoder)
    }

    @Test("RequestFrameDecoder")
    func requestDecoder() throws {
        try verify(files: GoldenVectors.requestFiles, read: { try RequestFrame.read(from: &$0) }) {
            RequestFrameDecoder(maxFrameBytes: 4096)
        }
    }

    @Test("ResponseFrameDecoder")
    func responseDecoder() throws {
        try verify(files: GoldenVectors.responseFiles, read: { try ResponseFrame.read(from: &$0) }) {
            ResponseFrameDecoder(maxFrameBytes: 4096)
        }
    }
}

import NIOCore
import PegasusWire

/// Fuzzes an RDSN native stream (what the C++ client and the Pegasus shell send) and its translation
/// to THFT.
///
/// Invariants: nothing traps; whole and byte-by-byte delivery agree; a decoded frame re-encodes
/// (with fresh or no CRCs) to a frame that decodes to the same header fields and body; a request's
/// THFT translation decodes as a THFT frame with the same name and request bytes.
enum RdsnFuzzer {
    static let maxFrameBytes = 1 << 20

    static func run(_ bytes: [UInt8]) {
        let outcome = StreamDecoding.consistentOutcome(of: RdsnFrameDecoder(maxFrameBytes: maxFrameBytes), bytes: bytes)
        _ = StreamDecoding.outcome(of: RdsnFrameDecoder(maxFrameBytes: 256), bytes: bytes, chunkSize: nil)
        var single = ByteBuffer(bytes: bytes)
        _ = try? RdsnHeader(peeking: single)
        _ = try? RdsnFrame.read(from: &single)
        for frame in outcome.frames {
            check(frame)
        }
    }

    private static func check(_ frame: RdsnFrame) {
        _ = try? frame.decodeBody(QueryConfigRequest.self)
        _ = try? frame.decodeBody(QueryConfigResponse.self)
        _ = frame.header.context.description
        for checksums in [RdsnChecksums.compute, .none] {
            var encoded = ByteBuffer()
            frame.encode(into: &encoded, checksums: checksums)
            do {
                let again = try RdsnFrame.read(from: &encoded)
                var expected = frame.header
                expected.bodyLength = UInt32(frame.body.readableBytes)
                expected.hdrCRC32 = again.header.hdrCRC32
                expected.bodyCRC32 = again.header.bodyCRC32
                FuzzCheck.that(
                    again.header == expected, "re-encoded RDSN header differs: \(again.header) vs \(expected)")
                FuzzCheck.that(again.body == frame.body, "re-encoded RDSN body differs")
            } catch {
                FuzzCheck.fail("re-encoded RDSN frame (\(checksums)) does not decode: \(error)")
            }
        }

        guard let request = try? frame.thriftRequest(seqid: 5) else { return }
        var thrift = ByteBuffer()
        request.encode(into: &thrift)
        do {
            let again = try RequestFrame.read(from: &thrift)
            FuzzCheck.that(again.message.name == frame.header.rpcName.text, "translated request changed its name")
            FuzzCheck.that(
                again.args.readableBytes == frame.body.readableBytes
                    && again.args.getSlice(at: again.args.readerIndex + 3, length: again.args.readableBytes - 3)
                        == frame.body.getSlice(at: frame.body.readerIndex + 3, length: frame.body.readableBytes - 3),
                "translated request changed the request bytes"
            )
        } catch {
            FuzzCheck.fail("translated RDSN request does not decode as THFT: \(error)")
        }
        if let reply = try? RdsnFrame.reply(
            to: frame,
            relaying: ResponseFrame(
                errorName: "ERR_OK", message: .init(name: "X_ACK", type: .reply, seqid: 5), body: frame.body)
        ) {
            FuzzCheck.that(reply.body == frame.body, "relayed RDSN reply changed the body")
        }
    }
}

import NIOCore
import PegasusWire

/// Fuzzes what a client sends the proxy: a THFT request stream.
///
/// Invariants: decoding never traps; whole and byte-by-byte delivery agree; every decoded frame
/// re-encodes to a frame that decodes to itself; the proxy's relay re-encoding (`RequestFrame.write`
/// under a new seqid) keeps the name and args; the args decoders never trap.
enum RequestFuzzer {
    /// The proxy's default `server.max_frame_bytes`.
    static let maxFrameBytes = 1 << 20

    static func run(_ bytes: [UInt8]) {
        let outcome = StreamDecoding.consistentOutcome(
            of: RequestFrameDecoder(maxFrameBytes: maxFrameBytes), bytes: bytes)
        // A small limit takes the frameTooLarge paths.
        _ = StreamDecoding.outcome(of: RequestFrameDecoder(maxFrameBytes: 64), bytes: bytes, chunkSize: nil)
        var single = ByteBuffer(bytes: bytes)
        _ = try? RequestFrame.read(from: &single)
        for frame in outcome.frames {
            check(frame)
        }
    }

    private static func check(_ frame: RequestFrame) {
        _ = try? frame.decodeArgs(QueryConfigRequest.self)
        _ = try? frame.decodeArgs(ListAppsRequest.self)
        _ = try? frame.decodeArgs(NegotiationRequest.self)
        _ = try? frame.decodeArgs(DuplicationQueryRequest.self)
        var reader = ThriftReader(frame.args)
        _ = try? reader.skip(.struct)

        var encoded = ByteBuffer()
        frame.encode(into: &encoded)
        do {
            let again = try RequestFrame.read(from: &encoded)
            FuzzCheck.that(again == frame, "re-encoded request frame decodes differently: \(again) vs \(frame)")
            FuzzCheck.that(encoded.readableBytes == 0, "re-encoded request frame left \(encoded.readableBytes) bytes")
        } catch {
            FuzzCheck.fail("re-encoded request frame does not decode: \(error)")
        }

        var relayed = ByteBuffer()
        RequestFrame.write(
            header: RequestHeader(),
            name: frame.message.name,
            type: frame.message.type,
            seqid: 0x1234_5678,
            args: frame.args,
            into: &relayed
        )
        do {
            let again = try RequestFrame.read(from: &relayed)
            FuzzCheck.that(again.message.name == frame.message.name, "relayed request changed its name")
            FuzzCheck.that(again.message.seqid == 0x1234_5678, "relayed request lost its seqid")
            FuzzCheck.that(again.args == frame.args, "relayed request changed its args")
        } catch {
            FuzzCheck.fail("relayed request frame does not decode: \(error)")
        }

        if let request = try? frame.decodeArgs(QueryConfigRequest.self) {
            let canonical = RequestFrame.make(header: frame.header, name: frame.message.name, seqid: 1, args: request)
            FuzzCheck.that(
                (try? canonical.decodeArgs(QueryConfigRequest.self)) == request,
                "query_cfg_request does not survive encode/decode: \(request)"
            )
        }
    }
}

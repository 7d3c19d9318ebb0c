import NIOCore
import PegasusWire

/// What a frame decoder made of a byte stream: the frames, then the error that stopped it (if any)
/// and how many bytes were left unconsumed.
struct StreamOutcome<Frame: Equatable>: Equatable {
    /// The frames decoded, in order.
    var frames: [Frame] = []
    /// The code and offset of the error that ended decoding; `nil` when the input simply ran out.
    var error: ErrorKey?
    /// Bytes not consumed when decoding stopped.
    var leftover = 0

    /// A `WireError` without its detail text (which may show fewer bytes when fewer had arrived).
    struct ErrorKey: Equatable {
        var code: WireError.Code
        var offset: Int?
    }
}

/// Feeds bytes to a `NIOSingleStepByteToMessageDecoder` the way `ByteToMessageHandler` does.
enum StreamDecoding {
    /// Decodes `bytes` delivered in chunks of `chunkSize` (`nil`: all at once), calling `decode` until
    /// it returns `nil` after every chunk and stopping at the first error. Any error other than a
    /// `WireError` breaks an invariant.
    static func outcome<Decoder: NIOSingleStepByteToMessageDecoder>(
        of decoder: Decoder,
        bytes: [UInt8],
        chunkSize: Int?
    ) -> StreamOutcome<Decoder.InboundOut> where Decoder.InboundOut: Equatable {
        var decoder = decoder
        var outcome = StreamOutcome<Decoder.InboundOut>()
        var buffer = ByteBuffer()
        var position = 0
        let step = max(1, chunkSize ?? bytes.count)
        repeat {
            let end = min(bytes.count, position + step)
            buffer.writeBytes(bytes[position..<end])
            position = end
            do {
                while let frame = try decoder.decode(buffer: &buffer) {
                    outcome.frames.append(frame)
                }
            } catch let error as WireError {
                outcome.error = .init(code: error.code, offset: error.offset)
                break
            } catch {
                FuzzCheck.fail("\(Decoder.self) threw a non-WireError: \(error)")
            }
        } while position < bytes.count
        outcome.leftover = buffer.readableBytes + (bytes.count - position)
        return outcome
    }

    /// Decodes `bytes` whole and in small chunks and checks both give the same frames and error, so a
    /// decoder's answer never depends on how TCP split the stream.
    ///
    /// The chunks are 1/64 of the input (at least 1 byte): byte by byte for small inputs, and a bounded
    /// number of decode rounds for large ones; the chunk boundaries move as the fuzzer changes the length.
    static func consistentOutcome<Decoder: NIOSingleStepByteToMessageDecoder>(
        of decoder: Decoder,
        bytes: [UInt8]
    ) -> StreamOutcome<Decoder.InboundOut> where Decoder.InboundOut: Equatable {
        let whole = outcome(of: decoder, bytes: bytes, chunkSize: nil)
        let dripped = outcome(of: decoder, bytes: bytes, chunkSize: max(1, bytes.count / 64))
        FuzzCheck.that(
            whole == dripped,
            "\(Decoder.self): whole input gave \(whole.frames.count) frames, error \(String(describing: whole.error)); "
                + "in chunks \(dripped.frames.count) frames, error \(String(describing: dripped.error))"
        )
        return whole
    }
}

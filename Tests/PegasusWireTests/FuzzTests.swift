import NIOCore
import PegasusWire
import Testing

/// Mutated golden frames: every outcome must be a frame, `nil` or a `WireError`, never a trap.
@Suite("Mutation fuzzing")
struct FuzzTests {
    /// SplitMix64: deterministic, so a failure reproduces.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce5_e4b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
    }

    static func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !out.isEmpty else { break }
            let index = Int.random(in: 0..<out.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: out[index] = UInt8.random(in: 0...255, using: &rng)
            case 1: out[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            case 2: out.remove(at: index)
            case 3: out.insert(UInt8.random(in: 0...255, using: &rng), at: index)
            default: out[index] = [0x00, 0x7f, 0x80, 0xff, 0x0c, 0x0f][Int.random(in: 0..<6, using: &rng)]
            }
        }
        return out
    }

    @Test("request frames and their args")
    func requests() throws {
        var decodedFrames = 0
        defer { #expect(decodedFrames > 0, "mutations must still reach the args decoders") }
        var rng = SplitMix64(state: 0x5eed_0001)
        for file in GoldenVectors.requestFiles {
            let bytes = try GoldenVectors.bytes(file)
            for _ in 0..<1500 {
                let mutated = Self.mutate(bytes, &rng)
                var decoder = RequestFrameDecoder(maxFrameBytes: 4096)
                var buffer = ByteBuffer(bytes: mutated)
                guard let frame = try? decoder.decode(buffer: &buffer) else { continue }
                decodedFrames += 1
                _ = try? frame.decodeArgs(QueryConfigRequest.self)
                _ = try? frame.decodeArgs(ListAppsRequest.self)
                _ = try? frame.decodeArgs(NegotiationRequest.self)
                _ = try? frame.decodeArgs(DuplicationQueryRequest.self)
                var reader = ThriftReader(frame.args)
                _ = try? reader.skip(.struct)
            }
        }
    }

    @Test("reply frames, their results and peeks")
    func responses() throws {
        var decodedFrames = 0
        defer { #expect(decodedFrames > 0, "mutations must still reach the result decoders") }
        var rng = SplitMix64(state: 0x5eed_0002)
        for file in GoldenVectors.responseFiles {
            let bytes = try GoldenVectors.bytes(file)
            for _ in 0..<800 {
                let mutated = Self.mutate(bytes, &rng)
                var decoder = ResponseFrameDecoder(maxFrameBytes: 4096)
                var buffer = ByteBuffer(bytes: mutated)
                guard let frame = try? decoder.decode(buffer: &buffer) else { continue }
                decodedFrames += 1
                _ = try? frame.decodeResult(QueryConfigResponse.self)
                _ = try? frame.decodeResult(ListAppsResponse.self)
                _ = try? frame.decodeResult(DuplicationQueryResponse.self)
                _ = try? frame.decodeResult(ClusterInfoResponse.self)
                _ = try? frame.decodeResult(NegotiationResponse.self)
                _ = try? QueryConfigResponse.peekForward(body: frame.body)
                _ = try? QueryConfigResponse.peekError(body: frame.body)
                var reader = ThriftReader(frame.body)
                _ = try? reader.skip(.structure([0: QueryConfigResponse.schema]))
            }
        }
    }
}

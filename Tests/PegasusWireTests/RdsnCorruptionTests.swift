import NIOCore
import PegasusWire
import Testing

/// Corrupt and hostile RDSN input gives typed errors, as early as the bytes allow.
@Suite("RDSN corrupt and hostile input")
struct RdsnCorruptionTests {
    /// Feeds `bytes` to a fresh decoder and returns the error it throws.
    func decoderError(_ bytes: some Collection<UInt8>, maxFrameBytes: Int = 1 << 20) -> WireError? {
        var decoder = RdsnFrameDecoder(maxFrameBytes: maxFrameBytes)
        var buffer = ByteBuffer(bytes: bytes)
        return #expect(throws: WireError.self) { _ = try decoder.decode(buffer: &buffer) }
    }

    func setU32(_ bytes: inout [UInt8], at offset: Int, _ value: UInt32) {
        for index in 0..<4 {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index))
        }
    }

    @Test("bad magic is rejected from the first wrong byte", arguments: 0..<4)
    func badMagic(index: Int) {
        var bytes = RdsnGoldenFrames.request
        bytes[index] ^= 0x20
        #expect(decoderError(bytes[...index])?.code == .badMagic)
        #expect(decoderError(bytes)?.code == .badMagic)
    }

    @Test("other formats' first bytes are not RDSN")
    func otherFormats() throws {
        #expect(decoderError(Array("THFT".utf8))?.code == .badMagic)
        #expect(decoderError(Array("GET / HTTP/1.1\r\n".utf8))?.code == .badMagic)
        #expect(decoderError(try GoldenVectors.bytes("req_query_cfg_v0_pypegasus3.hex"))?.code == .badMagic)
    }

    @Test("hdr_version other than 0 is rejected from its 4 bytes", arguments: [UInt32(1), 2, 0xffff_ffff])
    func version(value: UInt32) {
        var bytes = RdsnGoldenFrames.request
        setU32(&bytes, at: RdsnHeader.Offset.hdrVersion, value)
        #expect(decoderError(bytes[..<8])?.code == .badHeaderVersion)
    }

    @Test("hdr_length other than 192 is rejected from its 4 bytes", arguments: [UInt32(0), 48, 191, 193, 0xffff_ffff])
    func headerLength(value: UInt32) {
        var bytes = RdsnGoldenFrames.request
        setU32(&bytes, at: RdsnHeader.Offset.hdrLength, value)
        #expect(decoderError(bytes[..<12])?.code == .badHeaderLength)
    }

    @Test(
        "body_length with the top bit set is rejected from the header alone",
        arguments: [UInt32(0x8000_0000), 0xffff_ff40, 0xffff_ffff]
    )
    func negativeBodyLength(value: UInt32) {
        var bytes = RdsnGoldenFrames.request
        setU32(&bytes, at: RdsnHeader.Offset.bodyLength, value)
        let error = decoderError(bytes[..<20], maxFrameBytes: .max)
        #expect(error?.code == .negativeLength)
        #expect(error?.offset == RdsnHeader.Offset.bodyLength)
    }

    @Test("a frame over maxFrameBytes is rejected from the header alone")
    func tooLarge() throws {
        var bytes = RdsnGoldenFrames.request
        setU32(&bytes, at: RdsnHeader.Offset.bodyLength, 0x7fff_ffff)
        #expect(decoderError(bytes[..<20], maxFrameBytes: 1 << 20)?.code == .frameTooLarge)
        // The golden request is 216 bytes: 216 is accepted, 215 is not.
        #expect(decoderError(RdsnGoldenFrames.request[..<20], maxFrameBytes: 215)?.code == .frameTooLarge)
        var exact = RdsnFrameDecoder(maxFrameBytes: 216)
        var buffer = ByteBuffer(bytes: RdsnGoldenFrames.request)
        #expect(try exact.decode(buffer: &buffer) != nil)
        var input = ByteBuffer(bytes: RdsnGoldenFrames.request)
        #expect(throws: WireError.self) { try RdsnFrame.read(from: &input, maxFrameBytes: 100) }
    }

    @Test(
        "a header byte changed under a header CRC is rejected once the 192 header bytes are in",
        arguments: [13, 16, 24, 40, 45, 96, 104, 112, 120, 128, 136, 184, 191]
    )
    func badHeaderChecksum(offset: Int) throws {
        var bytes = RdsnGoldenFrames.requestWithChecksums
        bytes[offset] ^= 0x01  // at 16: body_length 24 -> 25, still valid, so only the CRC catches it
        var decoder = RdsnFrameDecoder(maxFrameBytes: 1 << 20)
        var header = ByteBuffer(bytes: bytes[..<(RdsnHeader.size - 1)])
        #expect(try decoder.decode(buffer: &header) == nil)
        let error = decoderError(bytes[..<RdsnHeader.size])
        #expect(error?.code == .invalidValue)
        #expect(error?.offset == RdsnHeader.Offset.hdrCRC32)
        #expect(error?.detail.contains("header CRC32C mismatch") == true)
    }

    @Test("a body byte changed under a body CRC is rejected once the frame is complete")
    func badBodyChecksum() throws {
        for var bytes in [RdsnGoldenFrames.requestWithChecksums, try RdsnGoldenFrames.reply()] {
            bytes[bytes.count - 3] ^= 0x01
            var decoder = RdsnFrameDecoder(maxFrameBytes: 1 << 20)
            var partial = ByteBuffer(bytes: bytes.dropLast())
            #expect(try decoder.decode(buffer: &partial) == nil)
            let error = decoderError(bytes)
            #expect(error?.code == .invalidValue)
            #expect(error?.offset == RdsnHeader.Offset.bodyCRC32)
            #expect(error?.detail.contains("body CRC32C mismatch") == true)
        }
    }

    @Test("without CRCs nothing is checked, as in rDSN: a changed byte decodes")
    func noChecksumNoCheck() throws {
        var bytes = RdsnGoldenFrames.request
        bytes[RdsnHeader.Offset.rpcName + 4] = UInt8(ascii: "X")
        bytes[bytes.count - 3] = 0x01
        var input = ByteBuffer(bytes: bytes)
        let frame = try RdsnFrame.read(from: &input)
        #expect(frame.header.rpcName.text == "RPC_XM_QUERY_PARTITION_CONFIG_BY_INDEX")
    }

    @Test("a body CRC alone is checked")
    func bodyChecksumAlone() throws {
        var bytes = RdsnGoldenFrames.requestWithChecksums
        setU32(&bytes, at: RdsnHeader.Offset.hdrCRC32, 0)
        var input = ByteBuffer(bytes: bytes)
        #expect(try RdsnFrame.read(from: &input).header.bodyCRC32 == 0xb47a_9c7b)
        bytes[RdsnHeader.size] ^= 0x01
        #expect(decoderError(bytes)?.offset == RdsnHeader.Offset.bodyCRC32)
    }

    @Test("mutated and random input never traps: each attempt yields a frame, nil or a WireError")
    func fuzz() throws {
        var generator = SplitMix64(seed: 0x5244_534e)
        let seeds = [RdsnGoldenFrames.request, RdsnGoldenFrames.requestWithChecksums, try RdsnGoldenFrames.reply()]
        for round in 0..<3000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0...(Int(generator.next() % 4)) {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] = UInt8(truncatingIfNeeded: generator.next())
            }
            if round % 5 == 0 {
                bytes = (0..<Int(generator.next() % 400)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                bytes.replaceSubrange(0..<min(4, bytes.count), with: Array("RDSN".utf8).prefix(bytes.count))
            }
            let cut = Int(generator.next() % UInt64(bytes.count + 1))
            var decoder = RdsnFrameDecoder(maxFrameBytes: 4096)
            var buffer = ByteBuffer(bytes: bytes[..<cut])
            do {
                if let frame = try decoder.decode(buffer: &buffer) {
                    _ = try? frame.decodeBody(QueryConfigResponse.self)
                    _ = try? frame.thriftArgs()
                }
            } catch is WireError {
                // Typed rejection is fine.
            }
        }
    }
}

/// A small deterministic generator for reproducible fuzzing.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var value = state
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        return value ^ (value >> 31)
    }
}

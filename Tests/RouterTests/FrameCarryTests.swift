import NIOCore
import Testing

@testable import Router

@Suite("FrameCarry: incomplete frames kept between reads in reused storage")
struct FrameCarryTests {
    static func bytes(_ values: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: values) }

    struct NoInput: Error {}

    /// The carry's input with `bytes` added (a value of its own, so the test sees storage reuse).
    static func input(_ carry: inout FrameCarry, adding bytes: ByteBuffer) throws -> ByteBuffer {
        guard let input = carry.input(adding: bytes) else { throw NoInput() }
        return input
    }

    /// Whether the carry has no input without new bytes.
    static func nothing(_ carry: inout FrameCarry) -> Bool {
        carry.input(adding: nil) == nil
    }

    static func address(_ buffer: ByteBuffer) -> UInt {
        buffer.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } - UInt(buffer.readerIndex)
    }

    @Test("with nothing held, a read's bytes are cut in place; nothing left keeps nothing")
    func passesReadsThrough() throws {
        var carry = FrameCarry()
        let nothingHeld = Self.nothing(&carry)
        #expect(nothingHeld)
        var input = try Self.input(&carry, adding: Self.bytes([1, 2, 3]))
        #expect(input.readableBytes == 3)
        input.moveReaderIndex(forwardBy: 3)
        carry.keep(&input, own: false)
        #expect(!carry.holdsBytes)
        #expect(carry.heldBytes == 0)
    }

    @Test("what is left of a read is copied out of the read buffer and prepended to the next read")
    func keepsTheRestAsACopy() throws {
        var carry = FrameCarry()
        var read = Self.bytes([1, 2, 3, 4])
        read.moveReaderIndex(forwardBy: 2)
        carry.keep(&read, own: false)
        #expect(carry.heldBytes == 2)
        let held = try #require(carry.held)
        #expect(Self.address(held) != Self.address(read))
        let own = carry.holdsBytes
        let input = try Self.input(&carry, adding: Self.bytes([5, 6]))
        #expect(own)
        #expect(!carry.holdsBytes)
        #expect(Array(input.readableBytesView) == [3, 4, 5, 6])
    }

    @Test("the carry's storage is reused from read to read, not reallocated")
    func reusesItsStorage() throws {
        var carry = FrameCarry()
        // Each step in its own scope: like a read handler, the test keeps no reference to the
        // bytes it handed back (one would make the carry's next write copy them).
        do {
            var first = Self.bytes([9, 9, 1])
            first.moveReaderIndex(forwardBy: 2)
            carry.keep(&first, own: false)
        }
        let storage = Self.address(try #require(carry.held))

        // Next read completes the frame and leaves the start of another one.
        do {
            var input = try Self.input(&carry, adding: Self.bytes([2, 3, 4]))
            input.moveReaderIndex(forwardBy: 3)
            carry.keep(&input, own: true)
        }
        #expect(Array(try #require(carry.held).readableBytesView) == [4])
        #expect(Self.address(try #require(carry.held)) == storage)

        // A read that ends on a frame boundary empties it; the storage is kept for the next rest.
        do {
            var whole = try Self.input(&carry, adding: Self.bytes([5]))
            whole.moveReaderIndex(forwardBy: 2)
            carry.keep(&whole, own: true)
        }
        #expect(!carry.holdsBytes)
        do {
            var later = Self.bytes([7, 8])
            later.moveReaderIndex(forwardBy: 1)
            carry.keep(&later, own: false)
        }
        #expect(Array(try #require(carry.held).readableBytesView) == [8])
        #expect(Self.address(try #require(carry.held)) == storage)
    }

    @Test("dropping forgets the held bytes")
    func drops() {
        var carry = FrameCarry()
        var read = Self.bytes([1, 2])
        carry.keep(&read, own: false)
        carry.drop()
        #expect(!carry.holdsBytes)
        let nothingHeld = Self.nothing(&carry)
        #expect(nothingHeld)
    }
}

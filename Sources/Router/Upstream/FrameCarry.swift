import NIOCore

/// The bytes of an incomplete frame kept by a connection between reads, in storage of its own.
///
/// A connection cuts the whole frames of each read buffer in place; what is left at the end (the
/// start of the next frame, common when a pipelining peer's frames straddle reads) must wait for
/// the next read. Keeping it as a slice of the read buffer would hold that buffer, so the channel
/// could not reuse it and would allocate a new one for the next read, and appending the next read
/// to the slice would copy it again. Instead the few bytes left are copied into a buffer owned by
/// the connection, reused from read to read: a steady stream of straddling frames allocates nothing.
///
/// Used by ``ProxyConnectionHandler`` (client requests) and ``MetaConnectionHandler`` (replies).
struct FrameCarry {
    /// The bytes held (an incomplete frame), `nil` when none are.
    private(set) var held: ByteBuffer?
    /// Storage of earlier held bytes, cleared, for the next time some are held.
    private var spare: ByteBuffer?

    /// A buffer grown beyond this (a large frame arrived in pieces) is not kept for reuse.
    static let keptCapacity = 64 << 10

    /// An empty carry.
    init() {}

    /// The number of bytes held.
    var heldBytes: Int { held?.readableBytes ?? 0 }

    /// The bytes to cut frames from now: the held bytes followed by `newBytes`, or `newBytes` alone
    /// (`nil` when there are neither). The held bytes are taken out; hand the bytes back with
    /// ``keep(_:own:)`` once the whole frames are cut, with `own` = ``holdsBytes`` as it was
    /// before this call (the bytes are then the carry's storage, not the channel's read buffer).
    mutating func input(adding newBytes: ByteBuffer?) -> ByteBuffer? {
        guard var bytes = held else { return newBytes }
        held = nil
        if var more = newBytes {
            // Once per read, not per pass: frames waiting for a slot are served a few at a time
            // from the same bytes, and moving the rest forward each time would cost O(n²).
            bytes.discardReadBytes()
            bytes.writeBuffer(&more)
        }
        return bytes
    }

    /// Whether bytes are held.
    var holdsBytes: Bool { held != nil }

    /// Keeps the unread bytes of `bytes` (from ``input(adding:)``) until the next read: in place if
    /// they are the carry's own storage, else copied into it. With none unread, the carry's own
    /// storage is kept for reuse.
    mutating func keep(_ bytes: inout ByteBuffer, own: Bool) {
        guard bytes.readableBytes > 0 else {
            held = nil
            if own { recycle(&bytes) }
            return
        }
        if own {
            held = bytes
            return
        }
        var copy = spare.take() ?? ByteBufferAllocator().buffer(capacity: max(bytes.readableBytes, 1024))
        copy.clear()
        copy.writeBuffer(&bytes)
        held = copy
    }

    /// Forgets the held bytes (the connection closed or failed).
    mutating func drop() {
        held = nil
    }

    private mutating func recycle(_ bytes: inout ByteBuffer) {
        guard bytes.capacity <= Self.keptCapacity else { return }
        bytes.clear()
        spare = bytes
    }
}

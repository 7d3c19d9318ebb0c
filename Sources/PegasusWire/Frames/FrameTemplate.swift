import NIOCore

/// The bytes of a frame that stay the same from one message to the next, laid out once, so that
/// writing a frame is one copy of those bytes, a few integers stored in place, and one copy of the
/// message's own bytes — no per-field `ByteBuffer` writes (each of which checks capacity and
/// slices NIO's storage generically).
///
/// The proxy writes two kinds of frame per relayed request: the THFT v0 request it sends upstream
/// (``RequestFrameTemplate``) and the reply it relays to the client (``ResponseFrameTemplate``).
/// Each writes exactly the bytes ``RequestFrame/write(header:name:type:seqid:args:into:)`` and
/// ``ResponseFrame/write(errorName:name:seqid:body:into:)`` write for the same values.
struct FrameTemplate: Sendable {
    /// Everything up to (not including) the seqid; the length fields are stored per frame.
    let prefix: [UInt8]

    /// Writes `prefix`, then `seqid`, then the readable bytes of `tail`; `patch` stores the
    /// frame's length fields into the written prefix (given the whole frame's byte count).
    @inline(__always)
    func write(
        seqid: Int32, tail: ByteBuffer?, into buffer: inout ByteBuffer,
        patch: (UnsafeMutableRawBufferPointer, Int) -> Void
    ) {
        let tailLength = tail?.readableBytes ?? 0
        let total = prefix.count + 4 + tailLength
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: total) { out in
            prefix.withUnsafeBytes { out.copyMemory(from: $0) }
            out.storeBytes(of: seqid.bigEndian, toByteOffset: prefix.count, as: Int32.self)
            if let tail, tailLength > 0 {
                tail.withUnsafeReadableBytes { bytes in
                    UnsafeMutableRawBufferPointer(rebasing: out[(prefix.count + 4)...]).copyMemory(from: bytes)
                }
            }
            patch(out, total)
            return total
        }
    }

    /// The strict Thrift message begin of `name` without its seqid: version word, name length, name.
    static func messageBegin(name: String, type: ThriftMessageType) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeMultipleIntegers(UInt32(0x8001_0000) | UInt32(type.rawValue), Int32(truncatingIfNeeded: name.utf8.count))
        buffer.writeUTF8(name)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }
}

/// A THFT v0 request frame for one RPC name, header fields 0 but the client timeout: what the proxy
/// sends a MetaServer (its own seqid, the client's args verbatim).
public struct RequestFrameTemplate: Sendable {
    /// The RPC name the frames carry.
    public let name: String
    private let template: FrameTemplate

    /// The query-config request (`RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX`, CALL).
    public static let queryConfig = RequestFrameTemplate(name: RpcName.queryConfig)

    /// Lays out the frame for `name` (CALL).
    public init(name: String) {
        self.name = name
        var header = ByteBuffer()
        RequestHeader().write(bodyLength: 0, into: &header)
        let bytes = (header.readBytes(length: header.readableBytes) ?? []) + FrameTemplate.messageBegin(name: name, type: .call)
        self.template = FrameTemplate(prefix: bytes)
    }

    /// The bytes of a frame with `argsLength` bytes of args.
    public func frameLength(argsLength: Int) -> Int { template.prefix.count + 4 + argsLength }

    /// Writes the request: a v0 header (`client_timeout` = `clientTimeoutMs`, every other field 0),
    /// the message begin with `seqid`, then the readable bytes of `args` verbatim. The same bytes as
    /// ``RequestFrame/write(header:name:type:seqid:args:into:)`` with `RequestHeader(clientTimeout:)`.
    public func write(seqid: Int32, clientTimeoutMs: Int32, args: ByteBuffer, into buffer: inout ByteBuffer) {
        template.write(seqid: seqid, tail: args, into: &buffer) { out, total in
            out.storeBytes(of: Int32(truncatingIfNeeded: total - RequestHeader.v0Length).bigEndian, toByteOffset: 16, as: Int32.self)
            out.storeBytes(of: clientTimeoutMs.bigEndian, toByteOffset: 32, as: Int32.self)
        }
    }
}

/// A reply frame with one envelope error and one reply name (REPLY): what the proxy relays to a
/// THFT client, under the client's seqid.
public struct ResponseFrameTemplate: Sendable {
    /// The envelope error the frames carry, e.g. `ERR_OK`.
    public let errorName: String
    /// The reply name the frames carry, e.g. `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK`.
    public let name: String
    private let template: FrameTemplate

    /// `ERR_OK` / query-config ACK: nearly every reply the proxy relays.
    public static let queryConfigOK = ResponseFrameTemplate(errorName: ErrorCode.ok.name, name: RpcName.queryConfigAck)

    /// Lays out the frame for `errorName` and `name`.
    public init(errorName: String, name: String) {
        self.errorName = errorName
        self.name = name
        var head = ByteBuffer()
        head.writeMultipleIntegers(Int32(0), Int32(truncatingIfNeeded: errorName.utf8.count))
        head.writeUTF8(errorName)
        let bytes = (head.readBytes(length: head.readableBytes) ?? []) + FrameTemplate.messageBegin(name: name, type: .reply)
        self.template = FrameTemplate(prefix: bytes)
    }

    /// The bytes of every frame of this template between the length prefix and the seqid
    /// (envelope error, message begin): what a reader compares to recognise such a frame.
    var head: [UInt8] { Array(template.prefix.dropFirst(4)) }

    /// Whether this template writes replies with `errorName` and `name`.
    @inline(__always)
    public func matches(errorName: String, name: String) -> Bool {
        self.errorName == errorName && self.name == name
    }

    /// Writes the reply: total length, envelope error, message begin with `seqid`, then the readable
    /// bytes of `body` (none when `nil`). The same bytes as
    /// ``ResponseFrame/write(errorName:name:seqid:body:into:)`` for this template's names.
    public func write(seqid: Int32, body: ByteBuffer?, into buffer: inout ByteBuffer) {
        template.write(seqid: seqid, tail: body, into: &buffer) { out, total in
            out.storeBytes(of: Int32(truncatingIfNeeded: total).bigEndian, toByteOffset: 0, as: Int32.self)
        }
    }
}

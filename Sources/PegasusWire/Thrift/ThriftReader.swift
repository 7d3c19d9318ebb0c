import NIOCore

/// Reads Thrift binary-protocol values from a `ByteBuffer`, consuming it.
///
/// Every length and count is checked against the bytes left before anything is allocated, so a
/// hostile length fails fast with `.truncated` or `.negativeLength`. Nesting of containers and
/// structs in `skip` is bounded by `maxDepth`. Errors carry the offset of the problem, counted
/// from the start of the buffer handed to `init` plus `baseOffset`.
public struct ThriftReader: Sendable {
    /// The default bound on nesting depth for `skip`.
    public static let defaultMaxDepth = 64
    /// Collections reserve at most this many elements up front; beyond it they grow as elements
    /// actually decode, so a large count costs memory only in proportion to bytes really present.
    static let maximumReservation = 1024

    /// The bytes not read yet.
    public private(set) var buffer: ByteBuffer
    /// The deepest nesting `skip` accepts.
    public let maxDepth: Int
    private let originIndex: Int
    private let baseOffset: Int

    /// Creates a reader over `buffer`.
    /// - Parameters:
    ///   - buffer: The bytes to read, from its reader index.
    ///   - baseOffset: Added to error offsets, so they can be frame-relative.
    ///   - maxDepth: Bound on nesting depth for `skip`.
    public init(_ buffer: ByteBuffer, baseOffset: Int = 0, maxDepth: Int = ThriftReader.defaultMaxDepth) {
        self.buffer = buffer
        self.maxDepth = maxDepth
        self.originIndex = buffer.readerIndex
        self.baseOffset = baseOffset
    }

    /// The offset of the next byte to read, in the same terms as error offsets.
    public var offset: Int { baseOffset + buffer.readerIndex - originIndex }

    /// How many bytes are left.
    public var remainingBytes: Int { buffer.readableBytes }

    /// Makes an error at the current offset.
    public func error(_ code: WireError.Code, _ detail: String) -> WireError {
        WireError(code, offset: offset, detail: detail)
    }

    @inline(__always)
    private func require(_ count: Int, _ what: StaticString) throws(WireError) {
        guard buffer.readableBytes >= count else {
            throw error(.truncated, "\(what) needs \(count) bytes, \(buffer.readableBytes) left")
        }
    }

    // MARK: Primitives

    /// Reads a bool (any non-zero byte is true, as Thrift does).
    public mutating func readBool() throws(WireError) -> Bool {
        try readByte() != 0
    }

    /// Reads a signed byte.
    public mutating func readByte() throws(WireError) -> Int8 {
        guard let value = buffer.readInteger(as: Int8.self) else {
            throw error(.truncated, "byte needs 1 byte, 0 left")
        }
        return value
    }

    /// Reads a big-endian i16.
    public mutating func readI16() throws(WireError) -> Int16 {
        guard let value = buffer.readInteger(as: Int16.self) else {
            throw error(.truncated, "i16 needs 2 bytes, \(buffer.readableBytes) left")
        }
        return value
    }

    /// Reads a big-endian i32.
    public mutating func readI32() throws(WireError) -> Int32 {
        guard let value = buffer.readInteger(as: Int32.self) else {
            throw error(.truncated, "i32 needs 4 bytes, \(buffer.readableBytes) left")
        }
        return value
    }

    /// Reads a big-endian i64.
    public mutating func readI64() throws(WireError) -> Int64 {
        guard let value = buffer.readInteger(as: Int64.self) else {
            throw error(.truncated, "i64 needs 8 bytes, \(buffer.readableBytes) left")
        }
        return value
    }

    /// Reads a big-endian IEEE 754 double.
    public mutating func readDouble() throws(WireError) -> Double {
        guard let bits = buffer.readInteger(as: UInt64.self) else {
            throw error(.truncated, "double needs 8 bytes, \(buffer.readableBytes) left")
        }
        return Double(bitPattern: bits)
    }

    /// Reads and validates an i32 length prefix.
    private mutating func readLength(_ what: StaticString) throws(WireError) -> Int {
        let start = offset
        let length = try readI32()
        guard length >= 0 else {
            throw WireError(.negativeLength, offset: start, detail: "\(what) length \(length)")
        }
        guard Int(length) <= buffer.readableBytes else {
            throw WireError(
                .truncated,
                offset: start,
                detail: "\(what) length \(length) but \(buffer.readableBytes) bytes left"
            )
        }
        return Int(length)
    }

    /// Reads a string: i32 length then UTF-8 bytes (invalid UTF-8 is repaired, as in `String(decoding:)`).
    public mutating func readString() throws(WireError) -> String {
        let length = try readLength("string")
        // The length was checked against the readable bytes just above.
        return buffer.readString(length: length) ?? ""
    }

    /// Reads a binary value as a slice of the underlying storage (no copy).
    public mutating func readBinary() throws(WireError) -> ByteBuffer {
        let length = try readLength("binary")
        // The length was checked against the readable bytes just above.
        return buffer.readSlice(length: length) ?? ByteBuffer()
    }

    /// Reads a binary value into an array.
    public mutating func readBytes() throws(WireError) -> [UInt8] {
        let length = try readLength("binary")
        // The length was checked against the readable bytes just above.
        return buffer.readBytes(length: length) ?? []
    }

    /// Reads `length` raw bytes as a slice (no copy).
    public mutating func readSlice(length: Int) throws(WireError) -> ByteBuffer {
        guard length >= 0 else {
            throw error(.negativeLength, "slice length \(length)")
        }
        guard let slice = buffer.readSlice(length: length) else {
            throw error(.truncated, "slice needs \(length) bytes, \(buffer.readableBytes) left")
        }
        return slice
    }

    /// Reads a type id byte.
    private mutating func readType(allowStop: Bool, _ what: StaticString) throws(WireError) -> ThriftType {
        let start = offset
        guard let raw = buffer.readInteger(as: UInt8.self) else {
            throw error(.truncated, "\(what) type needs 1 byte, 0 left")
        }
        guard let type = ThriftType(rawValue: raw), allowStop || type != .stop else {
            throw WireError(.invalidType, offset: start, detail: "\(what) type id \(raw)")
        }
        return type
    }

    // MARK: Structure headers

    /// Reads a field header, or returns `nil` at the struct's stop byte.
    public mutating func readFieldHeader() throws(WireError) -> ThriftFieldHeader? {
        let type = try readType(allowStop: true, "field")
        if type == .stop {
            return nil
        }
        let id = try readI16()
        return ThriftFieldHeader(type: type, id: id)
    }

    /// Reads a count and checks that `count` elements of at least `minimumSize` bytes fit.
    private mutating func readCount(
        _ what: StaticString,
        minimumSize: Int,
        start: Int
    ) throws(WireError) -> Int {
        let count = try readI32()
        guard count >= 0 else {
            throw WireError(.negativeLength, offset: start, detail: "\(what) count \(count)")
        }
        let needed = Int(count) * minimumSize
        guard needed <= buffer.readableBytes else {
            throw WireError(
                .truncated,
                offset: start,
                detail: "\(what) of \(count) elements needs at least \(needed) bytes, \(buffer.readableBytes) left"
            )
        }
        return Int(count)
    }

    /// Reads a list header; the count is checked against the bytes left.
    public mutating func readListHeader() throws(WireError) -> ThriftListHeader {
        try readCollectionHeader("list")
    }

    /// Reads a set header; the count is checked against the bytes left.
    public mutating func readSetHeader() throws(WireError) -> ThriftListHeader {
        try readCollectionHeader("set")
    }

    private mutating func readCollectionHeader(_ what: StaticString) throws(WireError) -> ThriftListHeader {
        let start = offset
        let elementType = try readType(allowStop: true, what)
        let count = try readCount(what, minimumSize: elementType.minimumEncodedSize, start: start)
        if elementType == .stop, count > 0 {
            throw WireError(.invalidType, offset: start, detail: "\(what) of \(count) elements of type stop")
        }
        return ThriftListHeader(elementType: elementType, count: count)
    }

    /// Reads a map header; the count is checked against the bytes left.
    public mutating func readMapHeader() throws(WireError) -> ThriftMapHeader {
        let start = offset
        let keyType = try readType(allowStop: true, "map key")
        let valueType = try readType(allowStop: true, "map value")
        let pairSize = keyType.minimumEncodedSize + valueType.minimumEncodedSize
        let count = try readCount("map", minimumSize: pairSize, start: start)
        if keyType == .stop || valueType == .stop, count > 0 {
            throw WireError(.invalidType, offset: start, detail: "map of \(count) pairs with a stop type")
        }
        return ThriftMapHeader(keyType: keyType, valueType: valueType, count: count)
    }

    /// Reads a message name of `length` bytes (checked against the readable bytes by the caller).
    ///
    /// The query-config request and reply names, read once per proxied query, come back as the
    /// ``RpcName`` constants instead of new `String`s (each would be a heap allocation: they are
    /// longer than a small string).
    private mutating func readMessageName(length: Int) -> String {
        let known: String? =
            switch length {
            case RpcName.queryConfig.utf8.count: RpcName.queryConfig
            case RpcName.queryConfigAck.utf8.count: RpcName.queryConfigAck
            default: nil
            }
        if let known, Self.startsWith(buffer, known, length: length) {
            buffer.moveReaderIndex(forwardBy: length)
            return known
        }
        return buffer.readString(length: length) ?? ""
    }

    /// Whether the first `length` readable bytes of `buffer` are `text`'s UTF-8 (compared a word at a time).
    private static func startsWith(_ buffer: ByteBuffer, _ text: String, length: Int) -> Bool {
        buffer.withUnsafeReadableBytes { readable in
            text.utf8.withContiguousStorageIfAvailable { expected in
                guard readable.count >= length, expected.count == length else { return false }
                let other = UnsafeRawBufferPointer(expected)
                var offset = 0
                while offset + 8 <= length {
                    guard readable.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                        == other.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    else { return false }
                    offset += 8
                }
                while offset < length {
                    guard readable[offset] == other[offset] else { return false }
                    offset += 1
                }
                return true
            } ?? false
        }
    }

    /// Reads a message begin in strict (`0x8001_00TT`) or non-strict (name length first) form.
    public mutating func readMessageBegin() throws(WireError) -> ThriftMessageHeader {
        let start = offset
        let first = try readI32()
        if first < 0 {
            let bits = UInt32(bitPattern: first)
            guard bits & 0xffff_0000 == 0x8001_0000 else {
                throw WireError(
                    .badMessageVersion,
                    offset: start,
                    detail: "message begin 0x\(String(bits, radix: 16)) is not strict version 1"
                )
            }
            let rawType = UInt8(truncatingIfNeeded: bits)
            guard let type = ThriftMessageType(rawValue: rawType) else {
                throw WireError(.badMessageType, offset: start + 3, detail: "message type \(rawType)")
            }
            let name = readMessageName(length: try readLength("string"))
            let seqid = try readI32()
            return ThriftMessageHeader(name: name, type: type, seqid: seqid)
        }
        let length = Int(first)
        guard length <= buffer.readableBytes else {
            throw WireError(
                .truncated,
                offset: start,
                detail: "message name length \(length) but \(buffer.readableBytes) bytes left"
            )
        }
        let name = readMessageName(length: length)
        let typeOffset = offset
        let rawType = try readByte()
        guard let type = ThriftMessageType(rawValue: UInt8(bitPattern: rawType)) else {
            throw WireError(.badMessageType, offset: typeOffset, detail: "message type \(rawType)")
        }
        let seqid = try readI32()
        return ThriftMessageHeader(name: name, type: type, seqid: seqid)
    }

    // MARK: Skipping

    /// Skips one value of a real Thrift type, with nesting bounded by `maxDepth`.
    ///
    /// - Important: rDSN placeholder types (`error_code`, `rpc_address`, `gpid`, `host_port`) are sent
    ///   under a STRUCT header but are not structs (docs/pegasus-reference.md §5.1). Skip those with
    ///   `skip(_ schema:)`, never with this.
    public mutating func skip(_ type: ThriftType) throws(WireError) {
        try skip(type, depth: 0)
    }

    mutating func skip(_ type: ThriftType, depth: Int) throws(WireError) {
        switch type {
        case .stop:
            throw error(.invalidType, "cannot skip a value of type stop")
        case .bool, .byte:
            try skipBytes(1, "byte")
        case .i16:
            try skipBytes(2, "i16")
        case .i32:
            try skipBytes(4, "i32")
        case .i64, .double:
            try skipBytes(8, "i64")
        case .string:
            let length = try readLength("string")
            buffer.moveReaderIndex(forwardBy: length)
        case .struct:
            try checkDepth(depth)
            while let field = try readFieldHeader() {
                try skip(field.type, depth: depth + 1)
            }
        case .list, .set:
            try checkDepth(depth)
            let header = try readCollectionHeader(type == .list ? "list" : "set")
            for _ in 0..<header.count {
                try skip(header.elementType, depth: depth + 1)
            }
        case .map:
            try checkDepth(depth)
            let header = try readMapHeader()
            for _ in 0..<header.count {
                try skip(header.keyType, depth: depth + 1)
                try skip(header.valueType, depth: depth + 1)
            }
        }
    }

    private mutating func skipBytes(_ count: Int, _ what: StaticString) throws(WireError) {
        try require(count, what)
        buffer.moveReaderIndex(forwardBy: count)
    }

    /// Throws `.nestingTooDeep` when `depth` reaches `maxDepth`.
    func checkDepth(_ depth: Int) throws(WireError) {
        guard depth < maxDepth else {
            throw error(.nestingTooDeep, "nesting deeper than \(maxDepth)")
        }
    }

    // MARK: Typed collections

    /// Reads a list whose elements are `Element`s, checking the declared element type.
    public mutating func readList<Element: ThriftDecodable>(of _: Element.Type) throws(WireError) -> [Element] {
        let start = offset
        let header = try readListHeader()
        return try readElements(Element.self, header: header, start: start, what: "list")
    }

    /// Reads a set as an array (wire order kept).
    public mutating func readSet<Element: ThriftDecodable>(of _: Element.Type) throws(WireError) -> [Element] {
        let start = offset
        let header = try readSetHeader()
        return try readElements(Element.self, header: header, start: start, what: "set")
    }

    private mutating func readElements<Element: ThriftDecodable>(
        _: Element.Type,
        header: ThriftListHeader,
        start: Int,
        what: StaticString
    ) throws(WireError) -> [Element] {
        guard header.count == 0 || header.elementType == Element.thriftType else {
            throw WireError(
                .invalidType,
                offset: start,
                detail: "\(what) element type \(header.elementType), expected \(Element.thriftType)"
            )
        }
        var elements: [Element] = []
        elements.reserveCapacity(Swift.min(header.count, Self.maximumReservation))
        for _ in 0..<header.count {
            elements.append(try Element(from: &self))
        }
        return elements
    }

    /// Reads a map into a dictionary (a repeated key keeps its last value, as C++ `std::map` does).
    public mutating func readMap<Key: ThriftDecodable & Hashable, Value: ThriftDecodable>(
        of _: Key.Type,
        _: Value.Type
    ) throws(WireError) -> [Key: Value] {
        let start = offset
        let header = try readMapHeader()
        guard header.count == 0 || (header.keyType == Key.thriftType && header.valueType == Value.thriftType) else {
            throw WireError(
                .invalidType,
                offset: start,
                detail:
                    "map types \(header.keyType)/\(header.valueType), expected \(Key.thriftType)/\(Value.thriftType)"
            )
        }
        var map: [Key: Value] = [:]
        map.reserveCapacity(Swift.min(header.count, Self.maximumReservation))
        for _ in 0..<header.count {
            let key = try Key(from: &self)
            map[key] = try Value(from: &self)
        }
        return map
    }
}

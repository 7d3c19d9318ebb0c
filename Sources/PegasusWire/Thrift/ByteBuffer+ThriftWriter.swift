import NIOCore

extension ByteBuffer {
    /// Writes a bool as one byte, `00` or `01`.
    public mutating func writeThriftBool(_ value: Bool) {
        writeInteger(value ? UInt8(1) : UInt8(0))
    }

    /// Writes a signed byte.
    public mutating func writeThriftByte(_ value: Int8) {
        writeInteger(value)
    }

    /// Writes a big-endian i16.
    public mutating func writeThriftI16(_ value: Int16) {
        writeInteger(value)
    }

    /// Writes a big-endian i32.
    public mutating func writeThriftI32(_ value: Int32) {
        writeInteger(value)
    }

    /// Writes a big-endian i64.
    public mutating func writeThriftI64(_ value: Int64) {
        writeInteger(value)
    }

    /// Writes a big-endian IEEE 754 double.
    public mutating func writeThriftDouble(_ value: Double) {
        writeInteger(value.bitPattern)
    }

    /// Writes a string: i32 UTF-8 length, then the bytes.
    public mutating func writeThriftString(_ value: String) {
        writeInteger(Int32(truncatingIfNeeded: value.utf8.count))
        writeUTF8(value)
    }

    /// Writes the UTF-8 bytes of `value` as one byte copy (no length prefix).
    ///
    /// `writeString` goes through NIO's generic `setBytes<Sequence>`, which is not specialised
    /// across modules and walks the bytes with generic `dropFirst`/`distance` calls; this passes
    /// the string's contiguous storage as a raw buffer instead (non-generic `writeBytes`).
    /// Literal and native strings (all the RPC and error names) are contiguous already.
    @inlinable
    public mutating func writeUTF8(_ value: String) {
        var value = value
        value.withUTF8 { bytes in
            _ = writeBytes(UnsafeRawBufferPointer(bytes))
        }
    }

    /// Writes a binary value: i32 length, then the readable bytes of `value`.
    public mutating func writeThriftBinary(_ value: ByteBuffer) {
        writeInteger(Int32(truncatingIfNeeded: value.readableBytes))
        writeImmutableBuffer(value)
    }

    /// Writes a binary value: i32 length, then `value`.
    public mutating func writeThriftBinary(_ value: [UInt8]) {
        writeInteger(Int32(truncatingIfNeeded: value.count))
        writeBytes(value)
    }

    /// Writes a field header: type id, then i16 field id.
    public mutating func writeThriftFieldHeader(_ type: ThriftType, id: Int16) {
        writeInteger(type.rawValue)
        writeInteger(id)
    }

    /// Writes the stop byte that ends a struct.
    public mutating func writeThriftStop() {
        writeInteger(ThriftType.stop.rawValue)
    }

    /// Writes a list header: element type, i32 count.
    public mutating func writeThriftListHeader(_ elementType: ThriftType, count: Int) {
        writeInteger(elementType.rawValue)
        writeInteger(Int32(truncatingIfNeeded: count))
    }

    /// Writes a set header: element type, i32 count.
    public mutating func writeThriftSetHeader(_ elementType: ThriftType, count: Int) {
        writeThriftListHeader(elementType, count: count)
    }

    /// Writes a map header: key type, value type, i32 count.
    public mutating func writeThriftMapHeader(keyType: ThriftType, valueType: ThriftType, count: Int) {
        writeInteger(keyType.rawValue)
        writeInteger(valueType.rawValue)
        writeInteger(Int32(truncatingIfNeeded: count))
    }

    /// Writes a strict message begin: i32 `0x8001_00TT`, string name, i32 seqid.
    public mutating func writeThriftMessageBegin(_ header: ThriftMessageHeader) {
        writeMultipleIntegers(
            UInt32(0x8001_0000) | UInt32(header.type.rawValue), Int32(truncatingIfNeeded: header.name.utf8.count))
        writeUTF8(header.name)
        writeInteger(header.seqid)
    }

    /// Writes a field header and the value.
    public mutating func writeThriftField<Value: ThriftEncodable>(_ id: Int16, _ value: Value) {
        writeThriftFieldHeader(Value.thriftType, id: id)
        value.write(to: &self)
    }

    /// Writes a field header and the value if it is present; nothing when `nil`.
    public mutating func writeThriftField<Value: ThriftEncodable>(_ id: Int16, _ value: Value?) {
        if let value {
            writeThriftField(id, value)
        }
    }

    /// Writes a list field: header, element header, elements.
    public mutating func writeThriftField<Element: ThriftEncodable>(_ id: Int16, list: [Element]) {
        writeThriftFieldHeader(.list, id: id)
        writeThriftList(list)
    }

    /// Writes a list field if present; nothing when `nil`.
    public mutating func writeThriftField<Element: ThriftEncodable>(_ id: Int16, list: [Element]?) {
        if let list {
            writeThriftField(id, list: list)
        }
    }

    /// Writes a list: element header then each element.
    public mutating func writeThriftList<Element: ThriftEncodable>(_ elements: [Element]) {
        writeThriftListHeader(Element.thriftType, count: elements.count)
        for element in elements {
            element.write(to: &self)
        }
    }

    /// Writes a map from pairs in the given order (callers sort as C++ `std::map` iterates).
    public mutating func writeThriftMap<Key: ThriftEncodable, Value: ThriftEncodable>(_ pairs: [(Key, Value)]) {
        writeThriftMapHeader(keyType: Key.thriftType, valueType: Value.thriftType, count: pairs.count)
        for (key, value) in pairs {
            key.write(to: &self)
            value.write(to: &self)
        }
    }
}

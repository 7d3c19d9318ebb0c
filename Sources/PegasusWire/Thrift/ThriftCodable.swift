import NIOCore

/// A value with a Thrift wire type: the type id written in a field or element header.
public protocol ThriftTyped {
    /// The header type under which this value travels. rDSN placeholder types say `.struct`
    /// although their payload is not a struct (docs/pegasus-reference.md §5.1).
    static var thriftType: ThriftType { get }
}

extension ThriftTyped {
    /// Structs (and rDSN placeholder types) travel under a STRUCT header.
    public static var thriftType: ThriftType { .struct }
}

/// A value that can be read from Thrift binary-protocol bytes.
public protocol ThriftDecodable: ThriftTyped {
    /// Reads one value (for a struct: its fields up to and including stop).
    ///
    /// Unknown field ids are skipped; every known field of an rDSN placeholder type is read by
    /// schema, never with a generic skip.
    init(from reader: inout ThriftReader) throws(WireError)
}

/// A value that can be written as Thrift binary-protocol bytes.
public protocol ThriftEncodable: ThriftTyped {
    /// Writes one value (for a struct: its fields in id order, then stop).
    func write(to buffer: inout ByteBuffer)
}

/// A value that can be both read and written.
public typealias ThriftCodable = ThriftDecodable & ThriftEncodable

extension Bool: ThriftCodable {
    /// `.bool`.
    public static var thriftType: ThriftType { .bool }
    /// Reads a bool.
    public init(from reader: inout ThriftReader) throws(WireError) { self = try reader.readBool() }
    /// Writes a bool.
    public func write(to buffer: inout ByteBuffer) { buffer.writeThriftBool(self) }
}

extension Int8: ThriftCodable {
    /// `.byte`.
    public static var thriftType: ThriftType { .byte }
    /// Reads a byte.
    public init(from reader: inout ThriftReader) throws(WireError) { self = try reader.readByte() }
    /// Writes a byte.
    public func write(to buffer: inout ByteBuffer) { buffer.writeThriftByte(self) }
}

extension Int16: ThriftCodable {
    /// `.i16`.
    public static var thriftType: ThriftType { .i16 }
    /// Reads an i16.
    public init(from reader: inout ThriftReader) throws(WireError) { self = try reader.readI16() }
    /// Writes an i16.
    public func write(to buffer: inout ByteBuffer) { buffer.writeThriftI16(self) }
}

extension Int32: ThriftCodable {
    /// `.i32`.
    public static var thriftType: ThriftType { .i32 }
    /// Reads an i32.
    public init(from reader: inout ThriftReader) throws(WireError) { self = try reader.readI32() }
    /// Writes an i32.
    public func write(to buffer: inout ByteBuffer) { buffer.writeThriftI32(self) }
}

extension Int64: ThriftCodable {
    /// `.i64`.
    public static var thriftType: ThriftType { .i64 }
    /// Reads an i64.
    public init(from reader: inout ThriftReader) throws(WireError) { self = try reader.readI64() }
    /// Writes an i64.
    public func write(to buffer: inout ByteBuffer) { buffer.writeThriftI64(self) }
}

extension Double: ThriftCodable {
    /// `.double`.
    public static var thriftType: ThriftType { .double }
    /// Reads a double.
    public init(from reader: inout ThriftReader) throws(WireError) { self = try reader.readDouble() }
    /// Writes a double.
    public func write(to buffer: inout ByteBuffer) { buffer.writeThriftDouble(self) }
}

extension String: ThriftCodable {
    /// `.string`.
    public static var thriftType: ThriftType { .string }
    /// Reads a string.
    public init(from reader: inout ThriftReader) throws(WireError) { self = try reader.readString() }
    /// Writes a string.
    public func write(to buffer: inout ByteBuffer) { buffer.writeThriftString(self) }
}

import NIOCore

/// An IDL enum: an i32 on the wire whose known values have names; values outside the known
/// cases are kept as received (newer servers may send them).
///
/// Conformers declare `rawValue`, `init(rawValue:)`, their cases as static lets, and `names`;
/// the Thrift coding and `description` come from here.
public protocol ThriftEnum: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ThriftCodable
where RawValue == Int32 {
    init(rawValue: Int32)
    /// The IDL name of each known value.
    static var names: [Int32: String] { get }
}

extension ThriftEnum {
    /// `.i32`.
    public static var thriftType: ThriftType { .i32 }

    /// Reads an i32.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init(rawValue: try reader.readI32())
    }

    /// Writes an i32.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftI32(rawValue)
    }

    /// The IDL name, or the number when unknown.
    public var description: String { Self.names[rawValue] ?? "\(rawValue)" }
}

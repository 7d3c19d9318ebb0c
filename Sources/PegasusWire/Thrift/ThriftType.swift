/// A Thrift binary-protocol type id (docs/pegasus-reference.md §1).
public enum ThriftType: UInt8, Sendable, CaseIterable {
    /// End of a struct's fields.
    case stop = 0
    /// One byte, 0 or 1.
    case bool = 2
    /// One signed byte.
    case byte = 3
    /// IEEE 754 double, 8 bytes big-endian.
    case double = 4
    /// Big-endian i16.
    case i16 = 6
    /// Big-endian i32.
    case i32 = 8
    /// Big-endian i64.
    case i64 = 10
    /// i32 length + bytes (also used for binary).
    case string = 11
    /// Fields followed by stop. Also the header type of rDSN placeholder types (docs/pegasus-reference.md §5.1).
    case `struct` = 12
    /// Key type, value type, i32 count, pairs.
    case map = 13
    /// Element type, i32 count, elements.
    case set = 14
    /// Element type, i32 count, elements.
    case list = 15

    /// The fewest bytes one value of this type can occupy on the wire.
    ///
    /// Used to reject a hostile collection count before anything is allocated.
    public var minimumEncodedSize: Int {
        switch self {
        case .stop: 0
        case .bool, .byte, .struct: 1
        case .i16: 2
        case .i32, .string: 4
        case .double, .i64: 8
        case .set, .list: 5
        case .map: 6
        }
    }
}

/// A map header: key type, value type and count, already checked against the bytes left.
public struct ThriftMapHeader: Hashable, Sendable {
    /// The declared key type.
    public var keyType: ThriftType
    /// The declared value type.
    public var valueType: ThriftType
    /// Number of key/value pairs (non-negative).
    public var count: Int

    /// Creates a map header.
    public init(keyType: ThriftType, valueType: ThriftType, count: Int) {
        self.keyType = keyType
        self.valueType = valueType
        self.count = count
    }
}

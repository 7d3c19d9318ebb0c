/// A list or set header: element type and count, already checked against the bytes left.
public struct ThriftListHeader: Hashable, Sendable {
    /// The declared element type.
    public var elementType: ThriftType
    /// Number of elements (non-negative).
    public var count: Int

    /// Creates a list header.
    public init(elementType: ThriftType, count: Int) {
        self.elementType = elementType
        self.count = count
    }
}

/// A struct field header: type id and field id (docs/pegasus-reference.md §1).
public struct ThriftFieldHeader: Hashable, Sendable {
    /// The field's wire type (never `.stop`).
    public var type: ThriftType
    /// The field id from the IDL.
    public var id: Int16

    /// Creates a field header.
    public init(type: ThriftType, id: Int16) {
        self.type = type
        self.id = id
    }
}

/// A Thrift message begin: name, type and sequence id (docs/pegasus-reference.md §1, §3.4, §4).
public struct ThriftMessageHeader: Hashable, Sendable {
    /// The RPC name, e.g. `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX` or its `_ACK` reply name.
    public var name: String
    /// CALL for requests, REPLY for replies.
    public var type: ThriftMessageType
    /// The client-chosen sequence id, echoed in the reply.
    public var seqid: Int32

    /// Creates a message header.
    public init(name: String, type: ThriftMessageType, seqid: Int32) {
        self.name = name
        self.type = type
        self.seqid = seqid
    }

    /// Bytes this header takes in strict form: i32 version|type, string name, i32 seqid.
    public var strictEncodedSize: Int { 4 + 4 + name.utf8.count + 4 }
}

/// The type of a Thrift message (docs/pegasus-reference.md §1).
public enum ThriftMessageType: UInt8, Sendable, CaseIterable {
    /// A request expecting a reply.
    case call = 1
    /// A reply to a call.
    case reply = 2
    /// A Thrift application exception.
    case exception = 3
    /// A request expecting no reply.
    case oneway = 4
}

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

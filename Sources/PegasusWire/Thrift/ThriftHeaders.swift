/// A Thrift message begin: name, type and sequence id (pegasus-rpc.md §0, §2.4, §3).
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

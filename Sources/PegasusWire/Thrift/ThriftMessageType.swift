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

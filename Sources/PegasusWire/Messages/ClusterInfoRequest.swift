import NIOCore

/// `configuration_cluster_info_request` (idl/meta_admin.thrift; docs/pegasus-reference.md
/// §11.2): args of `RPC_CM_CLUSTER_INFO`. It has no fields.
public struct ClusterInfoRequest: Hashable, Sendable, ThriftCodable {
    /// Creates the (empty) request.
    public init() {}

    /// The IDL shape, for schema-aware skipping.
    public static let schema: ThriftSchema = .structure([:])

    /// Reads the struct; every field is unknown and skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        while let field = try reader.readFieldHeader() {
            try reader.skip(field.type)
        }
    }

    /// Writes stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftStop()
    }
}

import NIOCore

/// `configuration_cluster_info_response` (idl/meta_admin.thrift; docs/pegasus-reference.md
/// §11.2): result of `RPC_CM_CLUSTER_INFO`, parallel key and value lists.
public struct ClusterInfoResponse: Hashable, Sendable, ThriftCodable {
    /// 1 `err`: `ERR_FORWARD_TO_OTHERS` (empty lists) from a follower.
    public var err: ErrorCode
    /// 2 `keys`: `meta_servers`, `primary_meta_server`, `zookeeper_hosts`, ..., `cluster_name`.
    public var keys: [String]
    /// 3 `values`, one per key.
    public var values: [String]

    /// Creates a response.
    public init(err: ErrorCode = .ok, keys: [String] = [], values: [String] = []) {
        self.err = err
        self.keys = keys
        self.values = values
    }

    /// Creates a response from ordered key/value pairs.
    public init(err: ErrorCode = .ok, pairs: [(String, String)]) {
        self.init(err: err, keys: pairs.map(\.0), values: pairs.map(\.1))
    }

    /// The value for `key` (the first one when repeated), or `nil`.
    public subscript(key: String) -> String? {
        guard let index = keys.firstIndex(of: key), index < values.count else {
            return nil
        }
        return values[index]
    }

    /// The IDL shape, for schema-aware skipping.
    public static let schema: ThriftSchema = .structure([1: .errorCode, 2: .list(.string), 3: .list(.string)])

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .struct): err = try ErrorCode(from: &reader)
            case (2, .list): keys = try reader.readList(of: String.self)
            case (3, .list): values = try reader.readList(of: String.self)
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes fields 1-3 and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, err)
        buffer.writeThriftField(2, list: keys)
        buffer.writeThriftField(3, list: values)
        buffer.writeThriftStop()
    }
}

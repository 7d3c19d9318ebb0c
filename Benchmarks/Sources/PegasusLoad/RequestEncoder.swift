import NIOCore
import PegasusWire

/// Writes `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX` request frames (THFT v1 header, as the Java
/// client sends) for a fixed set of tables, from args structs encoded once.
struct RequestEncoder {
    private let header: RequestHeader
    private let args: [ByteBuffer]
    /// The tables, by index.
    let tables: [TableSpec]
    /// Connection `i` starts at table `i × tableStride` (`--table-stride`).
    let tableStride: Int

    /// - Parameters:
    ///   - tables: the tables to query.
    ///   - clientTimeoutMs: the header's `client_timeout`.
    ///   - tableStride: how far apart the first tables of consecutive connections are.
    init(tables: [TableSpec], clientTimeoutMs: Int32, tableStride: Int = 1) {
        self.tables = tables
        self.tableStride = max(1, tableStride)
        self.header = RequestHeader(version: .v1, clientTimeout: clientTimeoutMs, metaFields: .all)
        self.args = tables.map { table in
            var buffer = ByteBuffer()
            buffer.writeThriftFieldHeader(.struct, id: 1)
            QueryConfigRequest(appName: table.name).write(to: &buffer)
            buffer.writeThriftStop()
            return buffer
        }
    }

    /// Writes the query of table `table` under `seqid`.
    func write(table: Int, seqid: Int32, into buffer: inout ByteBuffer) {
        RequestFrame.write(header: header, name: RpcName.queryConfig, seqid: seqid, args: args[table], into: &buffer)
    }
}

import NIOCore
import PegasusWire

/// Writes `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX` request frames for a fixed set of tables, in one
/// of the client frame formats (THFT v0, THFT v1 as the Java client sends, or RDSN), from args or
/// bodies encoded once.
struct RequestEncoder {
    private let format: FrameFormat
    private let header: RequestHeader
    private let timeoutMs: Int32
    /// Per table: the THFT args struct, or the RDSN body (the request wrapped in field 0).
    private let payloads: [ByteBuffer]
    /// The tables, by index.
    let tables: [TableSpec]
    /// Connection `i` starts at table `i × tableStride` (`--table-stride`).
    let tableStride: Int

    /// - Parameters:
    ///   - tables: the tables to query.
    ///   - clientTimeoutMs: the header's `client_timeout`.
    ///   - tableStride: how far apart the first tables of consecutive connections are.
    ///   - format: the frame format to send.
    init(tables: [TableSpec], clientTimeoutMs: Int32, tableStride: Int = 1, format: FrameFormat = .thftV1) {
        self.tables = tables
        self.tableStride = max(1, tableStride)
        self.format = format
        self.timeoutMs = clientTimeoutMs
        self.header = RequestHeader(
            version: format == .thftV0 ? .v0 : .v1, clientTimeout: clientTimeoutMs, metaFields: .all)
        self.payloads = tables.map { table in
            if format == .rdsn {
                return RdsnFrame.body(wrapping: QueryConfigRequest(appName: table.name))
            }
            var buffer = ByteBuffer()
            buffer.writeThriftFieldHeader(.struct, id: 1)
            QueryConfigRequest(appName: table.name).write(to: &buffer)
            buffer.writeThriftStop()
            return buffer
        }
    }

    /// Whether replies come back as RDSN frames (else as THFT reply frames).
    var repliesAreRdsn: Bool { format == .rdsn }

    /// Writes the query of table `table` under `seqid`.
    func write(table: Int, seqid: Int32, into buffer: inout ByteBuffer) {
        switch format {
        case .thftV0, .thftV1:
            RequestFrame.write(
                header: header, name: RpcName.queryConfig, seqid: seqid, args: payloads[table], into: &buffer)
        case .rdsn:
            RdsnFrame.request(
                name: RpcName.queryConfig, id: UInt64(UInt32(bitPattern: seqid)), timeoutMs: timeoutMs,
                body: payloads[table]
            ).encode(into: &buffer, checksums: .none)  // rDSN leaves both CRCs 0 by default
        }
    }
}

import NIOCore

/// What a load connection sends next: seqids 1, 2, … (wrapping to 1), tables in turn from a start.
struct RequestCursor {
    private let encoder: RequestEncoder
    private var nextTable: Int
    private var nextSeqid: Int32 = 1

    /// - Parameters:
    ///   - encoder: the request encoder (its tables).
    ///   - firstTable: the index of the first table to query.
    init(encoder: RequestEncoder, firstTable: Int) {
        self.encoder = encoder
        self.nextTable = firstTable % encoder.tables.count
    }

    /// Writes the next request into `buffer`.
    /// - Returns: its seqid and table index.
    mutating func writeNext(into buffer: inout ByteBuffer) -> (seqid: Int32, table: Int) {
        let seqid = nextSeqid
        nextSeqid = nextSeqid == Int32.max ? 1 : nextSeqid + 1
        let table = nextTable
        nextTable = (nextTable + 1) % encoder.tables.count
        encoder.write(table: table, seqid: seqid, into: &buffer)
        return (seqid, table)
    }
}

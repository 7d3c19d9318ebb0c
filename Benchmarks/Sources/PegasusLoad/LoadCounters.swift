/// What a load run counted (all phases, unless named `measured`).
struct LoadCounters: Codable, Sendable {
    /// Requests written.
    var sent = 0
    /// Replies received (matched to a request).
    var replies = 0
    /// Correct replies received during the measured window.
    var measured = 0
    /// Replies whose envelope error was not `ERR_OK`.
    var envelopeErrors = 0
    /// Replies whose body `err` was not `ERR_OK`.
    var bodyErrors = 0
    /// Replies naming another table's `app_id`.
    var wrongAppId = 0
    /// Reply bodies that could not be read.
    var undecodable = 0
    /// Replies whose seqid matched no request in flight on their connection.
    var unexpectedSeqid = 0
    /// Requests in flight on a connection that closed.
    var lost = 0
    /// Connections that failed with a decoding error (bad reply frame).
    var badFrames = 0
    /// Connections closed before the run ended.
    var closedConnections = 0

    /// Every kind of error, added up.
    var errors: Int {
        envelopeErrors + bodyErrors + wrongAppId + undecodable + unexpectedSeqid + lost + badFrames
    }

    /// Counts one checked reply.
    mutating func count(_ check: ReplyCheck) {
        switch check {
        case .ok: break
        case .envelopeError: envelopeErrors += 1
        case .bodyError: bodyErrors += 1
        case .wrongAppId: wrongAppId += 1
        case .undecodable: undecodable += 1
        }
    }

    /// Adds another loop's counters.
    mutating func add(_ other: LoadCounters) {
        sent += other.sent
        replies += other.replies
        measured += other.measured
        envelopeErrors += other.envelopeErrors
        bodyErrors += other.bodyErrors
        wrongAppId += other.wrongAppId
        undecodable += other.undecodable
        unexpectedSeqid += other.unexpectedSeqid
        lost += other.lost
        badFrames += other.badFrames
        closedConnections += other.closedConnections
    }
}

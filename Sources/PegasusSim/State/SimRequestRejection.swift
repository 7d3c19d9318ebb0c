/// A request the server does not answer: args rDSN could not read (the server drops the
/// connection), or a request an app env tells the replica to ignore (no reply, connection kept).
struct SimRequestRejection: Error, Sendable {
    /// What was wrong with the request.
    var detail: String
    /// Whether the connection is closed (`true`) or the request silently dropped (`false`).
    var closesConnection: Bool = true

    init(detail: String, closesConnection: Bool = true) {
        self.detail = detail
        self.closesConnection = closesConnection
    }
}

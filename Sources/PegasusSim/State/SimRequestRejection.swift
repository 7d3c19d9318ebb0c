/// A request whose args rDSN could not read: the server drops the connection.
struct SimRequestRejection: Error, Sendable {
    /// What was wrong with the request.
    var detail: String
}

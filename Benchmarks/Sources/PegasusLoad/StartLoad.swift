/// Tells a connection to start sending: `depth` requests at once, then one more per reply.
struct StartLoad: Sendable {
    /// Requests kept in flight.
    var depth: Int
}

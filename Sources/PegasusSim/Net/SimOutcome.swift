import NIOCore

/// What a simulated node does with one request.
enum SimOutcome<Reply: Sendable>: Sendable {
    /// Answer after `delay`.
    case reply(Reply, delay: TimeAmount)
    /// Answer when the future completes (control calls that open or close sockets).
    case later(EventLoopFuture<Reply>)
    /// Never answer (hung node); the connection stays open.
    case noReply
    /// Close the connection (dead node, or a request rDSN cannot parse); the text says why.
    case close(String)
}

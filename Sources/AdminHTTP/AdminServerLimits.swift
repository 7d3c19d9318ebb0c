import NIOCore

/// What one admin listener allows its clients: the admin port shares the process's file descriptors
/// with the client port, so neither many connections nor slow ones may pile up.
public struct AdminServerLimits: Sendable, Equatable {
    /// Connections open at once; one more is closed at once and counted. Default 64.
    public var maxConnections: Int
    /// A request whose head is not complete this long after its first byte (or after the connection
    /// opened) closes the connection. Default 10 s.
    public var headerTimeout: TimeAmount
    /// A keep-alive connection with no request this long after its last answer is closed. Default 60 s.
    public var idleTimeout: TimeAmount
    /// The most bytes a request head may take; a larger one is answered `431` and the connection
    /// closed. Default 16 KiB. (Admin requests take no body: one is answered `413` and closed.)
    public var maxHeadBytes: Int

    /// The limits, each with its default unless given.
    public init(
        maxConnections: Int = 64, headerTimeout: TimeAmount = .seconds(10), idleTimeout: TimeAmount = .seconds(60),
        maxHeadBytes: Int = 16384
    ) {
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxHeadBytes = maxHeadBytes
    }
}

/// Whether one MetaServer connection still carries replies: the rule that replaces a silently
/// dead connection (a flow lost without FIN or RST, e.g. by NAT or conntrack, or a vanished host).
///
/// Every attempt timeout on the connection counts; any byte received resets the count. At
/// `maxConsecutiveTimeouts` timeouts in a row the connection is to be replaced: closed, so the
/// next query opens a new one. A pure value, kept by ``MetaConnectionHandler``.
struct ConnectionHealth: Equatable {
    /// What to do with the connection after an event.
    enum Verdict: Equatable {
        /// Keep using it.
        case keep
        /// Close it; the next query opens a new one.
        case replace
    }

    /// Timeouts in a row after which the connection is replaced (at least 1).
    let maxConsecutiveTimeouts: Int
    /// Attempt timeouts since the last byte received.
    private(set) var consecutiveTimeouts = 0

    /// - Parameter maxConsecutiveTimeouts: timeouts in a row that replace the connection (raised to 1).
    init(maxConsecutiveTimeouts: Int) {
        self.maxConsecutiveTimeouts = max(1, maxConsecutiveTimeouts)
    }

    /// An attempt on the connection timed out.
    mutating func timedOut() -> Verdict {
        consecutiveTimeouts += 1
        return consecutiveTimeouts >= maxConsecutiveTimeouts ? .replace : .keep
    }

    /// Bytes arrived on the connection: it is alive.
    mutating func received() {
        consecutiveTimeouts = 0
    }
}

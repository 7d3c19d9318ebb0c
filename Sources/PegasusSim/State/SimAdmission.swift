import NIOCore

/// Whether a node answers a request it received, decided from its liveness, hang and latency.
enum SimAdmission: Sendable {
    /// The node is dead: close the connection.
    case refuse
    /// The node hangs: read, never answer.
    case ignore
    /// Answer after the node's added latency.
    case answer(after: TimeAmount)

    /// The outcome for this admission; `reply` is evaluated only when the node answers.
    func outcome<Reply: Sendable>(_ reply: () -> Result<Reply, SimRequestRejection>) -> SimOutcome<Reply> {
        switch self {
        case .refuse:
            return .close("node is down")
        case .ignore:
            return .noReply
        case .answer(let delay):
            switch reply() {
            case .success(let value): return .reply(value, delay: delay)
            case .failure(let rejection): return .close(rejection.detail)
            }
        }
    }
}

/// A request whose args rDSN could not read: the server drops the connection.
struct SimRequestRejection: Error, Sendable {
    /// What was wrong with the request.
    var detail: String
}

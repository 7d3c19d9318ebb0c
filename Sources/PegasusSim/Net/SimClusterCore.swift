import NIOCore
import PegasusWire
import Synchronization

/// The state of one simulated cluster behind one lock, shared by its listeners and its controls.
/// Each request takes the lock once to decide its outcome; sockets are written after release.
final class SimClusterCore: Sendable {
    /// The state.
    let state: Mutex<SimClusterState>

    /// Wraps an initial state.
    init(_ state: SimClusterState) {
        self.state = Mutex(state)
    }

    /// The outcome of a THFT request to `node`.
    func rpc(_ node: SimNodeID, _ frame: RequestFrame) -> SimOutcome<ResponseFrame> {
        switch node.role {
        case .meta:
            return state.withLock { $0.handleMetaRPC(node.index, frame) }
        case .replica:
            let now = SimClock.pegasusSeconds()
            return state.withLock { $0.handleReplicaRPC(node.index, frame, now: now) }
        }
    }

    /// The outcome of an HTTP request for `target` to `node`.
    func http(_ node: SimNodeID, target: String) -> SimOutcome<SimHTTPResponse> {
        switch node.role {
        case .meta: state.withLock { $0.handleMetaHTTP(node.index, target: target) }
        case .replica: state.withLock { $0.handleReplicaHTTP(node.index, target: target) }
        }
    }
}

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

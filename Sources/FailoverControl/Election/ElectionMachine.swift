import PegasusWire
import RouteModel
import Router

/// The decider election of one instance as a pure state machine: which ZooKeeper step to take next
/// given session changes and the results of earlier steps.
///
/// Protocol (the ZooKeeper "leader election" recipe): each instance holds an ephemeral-sequential node
/// under ``FailoverPaths/election``; the lowest sequence decides; every other instance watches only
/// its predecessor, so a departure wakes one instance. The decider stops deciding as soon as its
/// session is disconnected or expired (it can no longer write safely); on a reconnection of the same
/// session its node still exists and it evaluates again; after an expiry it joins again with a new node.
///
/// Results of steps are tagged with the node (or session) they were taken for, so a result that
/// arrives after the world moved on is ignored.
struct ElectionMachine: Sendable, Equatable {
    /// This instance's election node.
    struct Node: Sendable, Hashable {
        /// The full path, e.g. `/root/.meta-proxy/decider/n_0000000003`.
        var path: String
        /// The session that owns it.
        var session: Int64

        /// The last path component, e.g. `n_0000000003`.
        var name: String {
            path.split(separator: "/").last.map(String.init) ?? path
        }
    }

    enum State: Sendable, Equatable {
        /// No usable session; `node` is kept in case the same session comes back.
        case disconnected(node: Node?)
        /// Creating (or finding) this session's node.
        case joining(session: Int64)
        /// Reading the election's children.
        case evaluating(Node)
        /// Lowest sequence: deciding.
        case deciding(Node)
        /// Waiting for the predecessor to go.
        case watching(Node, predecessor: String)
    }

    /// What the driver must do.
    enum Action: Sendable, Equatable {
        case none
        /// Create this session's node (or adopt one a lost reply left behind), then report ``joined(_:)``.
        case join(session: Int64)
        /// List the election's children, then report ``evaluated(_:children:)``.
        case evaluate(Node)
        /// Start deciding.
        case startDeciding(Node)
        /// Stop deciding; then, when `thenJoin` is set, join with that session.
        case stopDeciding(thenJoin: Int64?)
        /// Watch the predecessor's existence; report ``predecessorGone(_:predecessor:)`` when it goes.
        case watch(Node, predecessor: String)
        /// A step failed: call ``retry()`` after a pause.
        case retryLater
    }

    private(set) var state: State = .disconnected(node: nil)

    /// Whether this instance decides now.
    var isDeciding: Bool {
        if case .deciding = state { return true }
        return false
    }

    /// This instance's node, if it has one.
    var node: Node? {
        switch state {
        case .disconnected(let node): node
        case .joining: nil
        case .evaluating(let node), .deciding(let node), .watching(let node, _): node
        }
    }

    /// The session is connected (`session` is its id).
    mutating func connected(session: Int64) -> Action {
        if case .disconnected(let node) = state {
            if let node, node.session == session {
                state = .evaluating(node)
                return .evaluate(node)
            }
            state = .joining(session: session)
            return .join(session: session)
        }
        if case .joining(let current) = state, current == session {
            return .none
        }
        if let node, node.session == session {
            return .none
        }
        // A new session while we thought we were connected: the old node died with the old session.
        let stop = isDeciding
        state = .joining(session: session)
        return stop ? .stopDeciding(thenJoin: session) : .join(session: session)
    }

    /// The session is disconnected (`expired`: the session and its node are gone).
    mutating func disconnected(expired: Bool) -> Action {
        let stop = isDeciding
        state = .disconnected(node: expired ? nil : node)
        return stop ? .stopDeciding(thenJoin: nil) : .none
    }

    /// The node this session joined with.
    mutating func joined(_ joinedNode: Node) -> Action {
        guard case .joining(let session) = state, session == joinedNode.session else { return .none }
        state = .evaluating(joinedNode)
        return .evaluate(joinedNode)
    }

    /// The election's children (names) as read for `evaluatedNode`.
    mutating func evaluated(_ evaluatedNode: Node, children: [String]) -> Action {
        guard case .evaluating(let current) = state, current == evaluatedNode else { return .none }
        switch ElectionOrder.position(of: current.name, among: children) {
        case .first:
            state = .deciding(current)
            return .startDeciding(current)
        case .after(let predecessor):
            state = .watching(current, predecessor: predecessor)
            return .watch(current, predecessor: predecessor)
        case .missing:
            // Our node is gone (session expired under us): join again.
            state = .joining(session: current.session)
            return .join(session: current.session)
        }
    }

    /// The watched predecessor was deleted (or changed): evaluate again.
    mutating func predecessorGone(_ watchingNode: Node, predecessor: String) -> Action {
        guard case .watching(let current, let watched) = state, current == watchingNode, watched == predecessor
        else { return .none }
        state = .evaluating(current)
        return .evaluate(current)
    }

    /// A decider write was rejected by the fence (this node was gone when it was checked): stop deciding
    /// and evaluate again; a node that is really gone makes the evaluation join anew.
    mutating func fenced() -> Action {
        guard case .deciding(let node) = state else { return .none }
        state = .evaluating(node)
        return .evaluate(node)
    }

    /// A step (join, evaluate, watch) failed with the session still usable.
    mutating func stepFailed() -> Action {
        switch state {
        case .joining, .evaluating: return .retryLater
        case .watching(let node, _):
            state = .evaluating(node)
            return .retryLater
        case .disconnected, .deciding: return .none
        }
    }

    /// The pause after a failed step is over: repeat the step of the current state.
    mutating func retry() -> Action {
        switch state {
        case .joining(let session): .join(session: session)
        case .evaluating(let node): .evaluate(node)
        case .disconnected, .deciding, .watching: .none
        }
    }
}

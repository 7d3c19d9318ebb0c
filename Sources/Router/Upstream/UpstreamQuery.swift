import NIOCore
import PegasusWire
import RouteModel

/// One query to a cluster's MetaServers and everything its upstream run needs: the request, the
/// state of its current attempt and the queries that joined it (coalescing).
///
/// The data path uses one of these per client query (pooled per event loop and reused, see
/// ``ProxyQuery`` and ``prepareForReuse()``) and no promise, future or closure: the
/// MetaServer connection, the attempt timer and the cluster client call back into it, and its
/// outcome arrives in ``completed(_:)``, which a subclass overrides (``PromiseQuery`` for the
/// control plane; the proxy's own for client connections). `completed` runs exactly once, on the
/// event loop, from inside whatever event settled the query (a reply read, a timer, a failure).
///
/// Loop-bound: created and used only on the event loop of the ``LoopUpstreams`` it is started on.
class UpstreamQuery: AttemptTimeoutTarget {
    /// Where the query is in its life.
    enum Phase {
        /// Not started yet.
        case new
        /// Sent (or being sent) by this cluster client.
        case running(MetaClusterClient)
        /// Waits for an identical query in flight (coalescing).
        case joined
        /// Completed.
        case done
    }

    /// The RPC name, e.g. `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX`.
    let name: String
    /// The request's Thrift args struct, encoded (relayed as the client sent it). Set anew when a
    /// pooled query is reused (``ProxyQuery``), never while the query runs.
    var args: ByteBuffer
    /// When the whole query gives up.
    var deadline: NIODeadline
    /// Whether the reply is a query-config reply whose `ERR_FORWARD_TO_OTHERS` names the leader
    /// (only query config carries the hint); for other meta RPCs a forward moves on to the next MetaServer.
    let followsForwards: Bool

    var phase: Phase = .new
    /// The cluster's name, for errors (set when the query starts or joins).
    var cluster = ""
    /// The MetaServer choices of the run, once it needs a second attempt (``MetaClusterClient``
    /// makes it then from `firstMetaIndex`); `nil` during the first.
    var attempt: QueryAttempt?
    /// The position, in its cluster's MetaServers, of the one the first attempt went to.
    var firstMetaIndex = 0
    /// The proxy seqid of the attempt in flight; 0 when none is. Replies, failures and timers of
    /// earlier attempts carry other seqids and are ignored.
    var attemptSeqid: Int32 = 0
    /// The connection of the attempt in flight (or of the last one).
    var attemptConnection: MetaConnection?
    /// When the attempt in flight was sent.
    var attemptStarted = NIODeadline.uptimeNanoseconds(0)
    /// The pending timer of the attempt in flight (or of the wait of a joined query).
    var timeout: AttemptTimeouts.ID?
    /// Identical queries that wait for this one's outcome.
    var joiners: [Joiner] = []
    /// Bumped each time a pooled query is reused (``prepareForReuse()``): a reference kept from an
    /// earlier use (a joiner that timed out on its own and was recycled) no longer matches.
    private(set) var generation: UInt64 = 0
    /// This query's entry in its loop's table of calls that others may join, while it is in flight.
    var inflightKey: LoopUpstreams.InflightKey?

    /// Whether an identical call's successful reply, up to `meta.coalesce_window` old, may answer
    /// this query instead of a new upstream call: `true` for client queries (the data path), `false`
    /// for the control plane, which asks for the cluster's state now.
    var acceptsRecentReply: Bool { false }

    /// Creates a query; ``LoopUpstreams/start(_:cluster:)`` runs it.
    init(name: String, args: ByteBuffer, deadline: NIODeadline, followsForwards: Bool) {
        self.name = name
        self.args = args
        self.deadline = deadline
        self.followsForwards = followsForwards
    }

    /// The outcome: the leader's reply (or a MetaServer's envelope error, relayed as is) or why
    /// no MetaServer answered. Subclasses override it; it runs exactly once.
    func completed(_ result: Result<ResponseFrame, UpstreamError>) {}

    /// Resets the query's run state for its next use from a pool: the previous run is done (its
    /// ``completed(_:)`` ran) and every reference to it that may still call in (a late reply, a
    /// connect completing, a shared call's joiners) carries an old seqid or generation and is ignored.
    final func prepareForReuse() {
        phase = .new
        completedAt = nil
        cluster = ""
        attempt = nil
        attemptSeqid = 0
        attemptConnection = nil
        timeout = nil
        joiners.removeAll(keepingCapacity: true)
        inflightKey = nil
        generation &+= 1
    }

    /// When the query completed, as read by the event that completed it (an upstream read, a
    /// timer), or `nil` when that event read no clock: ``ProxyQuery`` times its reply with it
    /// instead of reading the clock again (one clock read per upstream read, not per reply).
    var completedAt: NIODeadline?

    /// Marks the query done and delivers `result`, unless it is done already. `now`: the time of
    /// the event that completed it, if that event read the clock (``completedAt``).
    final func complete(_ result: Result<ResponseFrame, UpstreamError>, at now: NIODeadline? = nil) {
        if case .done = phase { return }
        phase = .done
        completedAt = now
        attemptConnection = nil
        completed(result)
    }

    /// The reply to the request sent with `seqid` (called by the MetaServer connection).
    /// `now`: when the read that carried it happened (one clock read per read).
    final func metaReplied(seqid: Int32, frame: ResponseFrame, now: NIODeadline = .now()) {
        guard seqid == attemptSeqid, case .running(let client) = phase else { return }
        client.attemptReplied(self, frame: frame, now: now)
    }

    /// The request sent with `seqid` will not be answered (called by the MetaServer connection).
    final func metaFailed(seqid: Int32, error: UpstreamError) {
        guard seqid == attemptSeqid, case .running(let client) = phase else { return }
        client.attemptFailed(self, error: error)
    }

    final func timedOut(_ id: AttemptTimeouts.ID) {
        guard id == timeout else { return }
        timeout = nil
        switch phase {
        case .running(let client):
            client.attemptTimedOut(self)
        case .joined:
            complete(.failure(UpstreamError(.deadlineExceeded, cluster: cluster, detail: "joined a call in flight")))
        case .new, .done:
            return
        }
    }
}

@available(*, unavailable)
extension UpstreamQuery: Sendable {}

/// A query waiting for an identical one's outcome, as it was when it joined: if it completed on its
/// own since (its deadline) and its object was reused, the generation no longer matches.
struct Joiner {
    let query: UpstreamQuery
    let generation: UInt64

    init(_ query: UpstreamQuery) {
        self.query = query
        self.generation = query.generation
    }

    /// The query, if it is still the use that joined.
    var current: UpstreamQuery? { query.generation == generation ? query : nil }
}

/// An ``UpstreamQuery`` whose outcome completes a promise: for the control plane (CLI queries,
/// health probes) and tests, where a future is wanted and a promise per query costs nothing that matters.
final class PromiseQuery: UpstreamQuery {
    /// Completed with the query's outcome.
    let promise: EventLoopPromise<ResponseFrame>

    init(name: String, args: ByteBuffer, deadline: NIODeadline, followsForwards: Bool, promise: EventLoopPromise<ResponseFrame>) {
        self.promise = promise
        super.init(name: name, args: args, deadline: deadline, followsForwards: followsForwards)
    }

    override func completed(_ result: Result<ResponseFrame, UpstreamError>) {
        switch result {
        case .success(let frame): promise.succeed(frame)
        case .failure(let error): promise.fail(error)
        }
    }
}

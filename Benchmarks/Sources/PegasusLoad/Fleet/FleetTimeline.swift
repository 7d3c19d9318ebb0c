import Foundation
import Synchronization

/// What one kind of connection saw during one wall-clock second.
struct FleetBucket: Codable, Sendable {
    /// Correct replies (`ERR_OK`, the table's `app_id`).
    var ok = 0
    /// Replies with `ERR_TIMEOUT` in the envelope (no MetaServer answered in time behind the relay).
    var errTimeout = 0
    /// Replies with another envelope error.
    var errEnvelope = 0
    /// Replies with an error in the body (e.g. `ERR_OBJECT_NOT_FOUND`).
    var errBody = 0
    /// Replies that were wrong: another table's `app_id`, unreadable, or a seqid not in flight.
    var wrong = 0
    /// Requests in flight on a connection the peer closed (FIN).
    var lostClosed = 0
    /// Requests in flight on a connection reset by the peer (ECONNRESET) or failed otherwise.
    var lostReset = 0
    /// Requests given up after the client-side timeout (no reply in time).
    var clientTimeouts = 0
    /// Connections opened.
    var connects = 0
    /// Connects refused (ECONNREFUSED).
    var connectRefused = 0
    /// Connects that failed otherwise (timeout, unreachable).
    var connectFailed = 0
    /// Connections closed by the peer (FIN), with or without requests in flight.
    var closed = 0
    /// Connections reset by the peer.
    var reset = 0
    /// Connections closed before their first reply (the relay accepted, then had nowhere to send them).
    var closedBeforeReply = 0
    /// Slowest correct reply of the second, in milliseconds.
    var maxLatencyMs = 0.0

    /// Every failure a client would see: error replies, lost requests, client timeouts.
    var errors: Int { errTimeout + errEnvelope + errBody + wrong + lostClosed + lostReset + clientTimeouts }

    mutating func add(_ other: FleetBucket) {
        ok += other.ok
        errTimeout += other.errTimeout
        errEnvelope += other.errEnvelope
        errBody += other.errBody
        wrong += other.wrong
        lostClosed += other.lostClosed
        lostReset += other.lostReset
        clientTimeouts += other.clientTimeouts
        connects += other.connects
        connectRefused += other.connectRefused
        connectFailed += other.connectFailed
        closed += other.closed
        reset += other.reset
        closedBeforeReply += other.closedBeforeReply
        maxLatencyMs = max(maxLatencyMs, other.maxLatencyMs)
    }
}

/// The two kinds of connection a fleet run drives.
enum FleetRole: Int, Sendable, CaseIterable {
    /// Pipelined load connections (many requests in flight each).
    case load = 0
    /// Paced connections that behave like a real client: one query at a time.
    case client = 1
}

/// Per-second counters of a fleet run, by wall-clock (Unix) second, for each ``FleetRole``.
///
/// Shared by every event loop behind one lock: a fleet run is paced well below what a lock costs.
final class FleetTimeline: Sendable {
    private let buckets = Mutex<[Int: [FleetBucket]]>([:])

    /// The current Unix second.
    static func nowSecond() -> Int { Int(Date().timeIntervalSince1970) }

    /// Applies `update` to the bucket of `role` for the current second.
    func record(_ role: FleetRole, _ update: (inout FleetBucket) -> Void) {
        let second = Self.nowSecond()
        buckets.withLock { buckets in
            var entry = buckets[second] ?? Array(repeating: FleetBucket(), count: FleetRole.allCases.count)
            update(&entry[role.rawValue])
            buckets[second] = entry
        }
    }

    /// Every second seen so far, in order, with each role's bucket.
    func seconds() -> [(second: Int, buckets: [FleetBucket])] {
        buckets.withLock { buckets in buckets.keys.sorted().map { ($0, buckets[$0] ?? []) } }
    }
}

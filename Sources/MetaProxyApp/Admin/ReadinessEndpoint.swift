import AdminHTTP
import Metrics
import NIOHTTP1
import Router

/// `/readyz` and its strict variant (`/readyz/strict`, `/readyz?strict=1`), and the
/// `metaproxy_route_source_degraded` gauge.
///
/// `/readyz` is ready while the instance can answer from its routes: from the first successful load of
/// the route source on, also while the source is unreachable (ZooKeeper down: cached routes keep
/// serving, the body says `degraded: …`). A load balancer should follow this one: ZooKeeper being down
/// affects every instance at once, and dropping them all would turn a ZooKeeper outage into a full one.
/// The strict variant is ready only while the source is current (connected). Both answer `503
/// draining` once the graceful shutdown started (``DrainState``), whatever the route source.
struct ReadinessEndpoint: Sendable {
    private let routes: any RouteStore
    private let drain: DrainState
    private let degraded = Gauge(label: "metaproxy_route_source_degraded")

    init(routes: any RouteStore, drain: DrainState = DrainState()) {
        self.routes = routes
        self.drain = drain
    }

    /// The answer while the instance drains (SIGTERM or SIGINT received), plain and strict.
    static let draining = AdminResponse(status: .serviceUnavailable, body: "draining: shutting down\n")

    /// Whether a query asks for the strict variant (`strict=1`, `strict=true`, `strict=yes`).
    static func isStrict(_ query: [String: String]) -> Bool {
        guard let value = query["strict"] else { return false }
        return ["1", "true", "yes"].contains(value.lowercased())
    }

    /// The answer for `readiness`.
    static func response(_ readiness: RouteSourceReadiness, strict: Bool) -> AdminResponse {
        switch readiness {
        case .current:
            return AdminResponse(body: "ready\n")
        case .degraded(let reason):
            return AdminResponse(status: strict ? .serviceUnavailable : .ok, body: "degraded: \(reason)\n")
        case .notLoaded(let reason):
            return AdminResponse(status: .serviceUnavailable, body: "not ready: \(reason)\n")
        }
    }

    /// Answers `/readyz` (strict when asked) and updates the gauge.
    func respond(strict: Bool) -> AdminResponse {
        let readiness = recordReadiness()
        if drain.isDraining { return Self.draining }
        return Self.response(readiness, strict: strict)
    }

    /// The route source's readiness now, also recorded in `metaproxy_route_source_degraded` (1 while
    /// degraded, else 0). Called on every `/readyz` and `/metrics`.
    @discardableResult
    func recordReadiness() -> RouteSourceReadiness {
        let readiness = routes.readiness
        if case .degraded = readiness { degraded.record(1) } else { degraded.record(0) }
        return readiness
    }
}

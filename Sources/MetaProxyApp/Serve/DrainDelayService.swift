import Logging
import ServiceLifecycle

/// The first step of a graceful shutdown: marks the instance as draining (``DrainState``: `/readyz`
/// answers 503) and then waits `server.drain_delay` before the shutdown goes on. Listed last in the
/// service group, so the group (which shuts services down in reverse order) runs it first: during
/// the delay the admin listener still answers (`503 draining`) and the proxy still accepts and
/// serves, so a load balancer's health checks see the instance go unready and move new
/// connections elsewhere before the proxy closes its listener and its idle connections.
struct DrainDelayService: Service {
    let state: DrainState
    let delay: Duration
    let logger: Logger

    func run() async throws {
        // Returns at the graceful shutdown; throws (ends) when cancelled.
        try await gracefulShutdown()
        state.begin()
        guard delay > .zero else { return }
        logger.info(
            "Draining: /readyz answers 503; connections close after the drain delay",
            metadata: ["metaproxy.drain_delay": "\(delay)"])
        // Cancellation (a second signal does not cancel; a failing service does) ends the wait early.
        try? await Task.sleep(for: delay)
    }
}

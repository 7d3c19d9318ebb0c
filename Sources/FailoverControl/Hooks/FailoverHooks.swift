import FailoverPolicy
import HealthProbe
import Logging
import Metrics
import Synchronization

/// Calls the configured failover hooks (`failover.hooks`: an executable and/or an HTTP URL) with a
/// ``FailoverHookEvent`` for every decision and refusal episode, without ever delaying the decider.
///
/// ``notify(_:)`` only enqueues: the queue is bounded (``FailoverHookSettings/queueCapacity``) and
/// an event that does not fit is dropped and counted. ``run()`` calls the hooks one event at a
/// time, each call bounded by ``FailoverHookSettings/timeout`` (the process is killed, the request
/// aborted). Failures are logged (warning) and counted:
///
/// - `metaproxy_failover_hook_calls_total{hook,result}`: hook calls by `hook` (`exec`, `url`) and
///   `result` (`ok`, `failed`, `timeout`).
/// - `metaproxy_failover_hook_dropped_total`: events dropped because the queue was full.
public final class FailoverHooks: Sendable {
    /// The settings.
    public let settings: FailoverHookSettings
    private let http: CurlHTTPClient?
    private let stream: AsyncStream<FailoverHookEvent>
    private let continuation: AsyncStream<FailoverHookEvent>.Continuation
    private let dropped: Counter
    private let factory: any MetricsFactory
    private let calls = Mutex<[String: Counter]>([:])
    private let logger: Logger

    /// Creates the dispatcher (nothing is called until ``run()`` runs).
    /// - Parameters:
    ///   - settings: What to call.
    ///   - http: The client POSTing to ``FailoverHookSettings/url``; `nil` when no URL is set.
    ///   - metricsFactory: The metrics backend.
    ///   - logger: Failures at warning, calls at debug.
    public init(
        settings: FailoverHookSettings,
        http: CurlHTTPClient?,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger
    ) {
        self.settings = settings
        self.http = http
        (stream, continuation) = AsyncStream.makeStream(
            of: FailoverHookEvent.self, bufferingPolicy: .bufferingOldest(max(1, settings.queueCapacity)))
        self.factory = metricsFactory
        self.dropped = Counter(label: "metaproxy_failover_hook_dropped_total", dimensions: [], factory: metricsFactory)
        self.logger = logger
    }

    /// Enqueues `event` for the hooks; never waits. A full queue drops it (counted, logged).
    public func notify(_ event: FailoverHookEvent) {
        switch continuation.yield(event) {
        case .enqueued:
            return
        case .dropped:
            dropped.increment()
            logger.warning(
                "Failover hook queue full: event dropped",
                metadata: [FailoverLoggingKeys.table: "\(event.table)", "failover.hook_event": "\(event.event.rawValue)"])
        case .terminated:
            return
        @unknown default:
            return
        }
    }

    /// Calls the hooks for each queued event, in order, until cancelled.
    public func run() async {
        await withTaskCancellationHandler {
            for await event in stream {
                await deliver(event)
            }
        } onCancel: {
            continuation.finish()
        }
    }

    /// Calls every configured hook with `event`.
    func deliver(_ event: FailoverHookEvent) async {
        let payload: [UInt8]
        do {
            payload = try event.jsonBytes()
        } catch {
            logger.warning("Encoding a failover hook event failed", metadata: [FailoverLoggingKeys.error: "\(error)"])
            return
        }
        if let exec = settings.exec {
            let outcome = await HookProcess.run(
                exec, payload: payload, environment: Self.environment(event), timeout: settings.timeout)
            record(outcome, hook: "exec", target: exec, event: event)
        }
        if let url = settings.url, let http {
            let outcome: HookOutcome
            do {
                let response = try await http.post(url, json: payload, timeout: settings.timeout)
                outcome = (200..<300).contains(response.status) ? .ok : .failed("HTTP status \(response.status)")
            } catch where error.code == .timeout {
                outcome = .timedOut
            } catch {
                outcome = .failed("\(error)")
            }
            record(outcome, hook: "url", target: url, event: event)
        }
    }

    /// `META_PROXY_HOOK_EVENT`, `_TABLE`, `_FROM`, `_TO` (empty for a refusal), `_REASON_CODE`.
    static func environment(_ event: FailoverHookEvent) -> [String: String] {
        [
            "META_PROXY_HOOK_EVENT": event.event.rawValue,
            "META_PROXY_HOOK_TABLE": event.table,
            "META_PROXY_HOOK_FROM": event.from,
            "META_PROXY_HOOK_TO": event.to ?? "",
            "META_PROXY_HOOK_REASON_CODE": event.reason.code.rawValue,
        ]
    }

    private func record(_ outcome: HookOutcome, hook: String, target: String, event: FailoverHookEvent) {
        let key = hook + "/" + outcome.label
        let counter = calls.withLock { counters in
            if let existing = counters[key] {
                return existing
            }
            let created = Counter(
                label: "metaproxy_failover_hook_calls_total", dimensions: [("hook", hook), ("result", outcome.label)],
                factory: factory)
            counters[key] = created
            return created
        }
        counter.increment()
        let metadata: Logger.Metadata = [
            FailoverLoggingKeys.hook: "\(target)",
            FailoverLoggingKeys.table: "\(event.table)",
            "failover.hook_event": "\(event.event.rawValue)",
        ]
        switch outcome {
        case .ok:
            logger.debug("Failover hook called", metadata: metadata)
        case .timedOut:
            logger.warning(
                "Failover hook timed out and was stopped",
                metadata: metadata.merging(["failover.hook_timeout": "\(settings.timeout)"]) { $1 })
        case .failed(let why):
            logger.warning(
                "Failover hook failed", metadata: metadata.merging([FailoverLoggingKeys.error: "\(why)"]) { $1 })
        }
    }
}

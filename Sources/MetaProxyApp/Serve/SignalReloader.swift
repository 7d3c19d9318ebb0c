import FailoverControl
import Logging
import Metrics
import Router
import ServiceLifecycle
import Synchronization
import UnixSignals
import ZooKeeper

/// What SIGHUP does in `meta-proxy serve`: reloads what can be reloaded and logs what changed; it never
/// stops the process.
///
/// In order: the configuration file (its reloadable keys, ``ConfigurationChanges/reloadableKeys``, are
/// applied; other changed keys are logged as needing a restart; a file that does not load keeps every
/// current setting, logs the error naming the file and key, and counts
/// `metaproxy_config_reload_failures_total`; `metaproxy_config_reload_failed` is 1 until a reload
/// succeeds), the routes file (routes-file source;
/// ZooKeeper routes are watched and need no reload) and the policy directory.
final class SignalReloader: Sendable {
    /// Re-reads the configuration file with the command line's overrides; `nil` without a file.
    typealias LoadConfiguration = @Sendable () throws -> ProxyConfiguration

    private let loadConfiguration: LoadConfiguration?
    private let current: Mutex<ProxyConfiguration>
    private let logLevel: ReloadableLogLevel
    private let routes: FileRouteStore?
    private let policies: PolicyStore
    private let logger: Logger
    private let failures: Counter
    private let failed: Gauge

    init(
        configuration: ProxyConfiguration, loadConfiguration: LoadConfiguration?, logLevel: ReloadableLogLevel,
        routes: (any RouteStore), policies: PolicyStore, metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger
    ) {
        self.failures = Counter(label: "metaproxy_config_reload_failures_total", dimensions: [], factory: metricsFactory)
        self.failed = Gauge(label: "metaproxy_config_reload_failed", dimensions: [], factory: metricsFactory)
        failed.record(0)
        self.current = Mutex(configuration)
        self.loadConfiguration = loadConfiguration
        self.logLevel = logLevel
        self.routes = routes as? FileRouteStore
        self.policies = policies
        self.logger = logger
    }

    /// Reloads everything reloadable, logging what changed.
    func reload() {
        logger.notice("SIGHUP: reloading the configuration file, the routes file and the policies")
        var metadata: Logger.Metadata = [:]
        reloadConfiguration(into: &metadata)
        if let routes {
            metadata["reload.routes.changed"] = "\(routes.reloadNow().count)"
        } else {
            metadata["reload.routes"] = "watched (nothing to reload)"
        }
        let policiesChanged = policies.reloadIfChanged()
        metadata["reload.policies"] = "\(policiesChanged ? "reloaded" : (policies.lastError == nil ? "unchanged" : "kept (error)"))"
        logger.info("Reload done", metadata: metadata)
    }

    private func reloadConfiguration(into metadata: inout Logger.Metadata) {
        guard let loadConfiguration else {
            metadata["reload.config"] = "no configuration file"
            return
        }
        let new: ProxyConfiguration
        do {
            new = try loadConfiguration()
        } catch let error as ConfigError {
            failures.increment()
            failed.record(1)
            metadata["reload.config"] = "kept (error)"
            logger.error(
                "Configuration reload failed; keeping the current settings",
                metadata: [
                    "config.file": "\(error.file ?? "")", "config.key": "\(error.keyPath ?? "")", "error": "\(error)",
                ])
            return
        } catch {
            failures.increment()
            failed.record(1)
            metadata["reload.config"] = "kept (error)"
            logger.error("Configuration reload failed; keeping the current settings", metadata: ["error": "\(error)"])
            return
        }
        failed.record(0)
        let changes = current.withLock { current in
            let changes = ConfigurationChanges(from: current, to: new)
            // Only the applied keys take effect: the rest stays as the process started.
            current.log.level = new.log.level
            return changes
        }
        if changes.applied.contains("log.level") {
            logLevel.level = new.log.level
            ZooKeeperLibraryLog.setLevel(new.log.level)
        }
        metadata["reload.config"] = changes.isEmpty ? "unchanged" : "changed"
        metadata["reload.config.applied"] = "\(changes.applied.joined(separator: ","))"
        if !changes.needRestart.isEmpty {
            metadata["reload.config.restart_needed"] = "\(changes.needRestart.joined(separator: ","))"
            logger.warning(
                "Configuration changed keys that take effect only after a restart",
                metadata: ["config.keys": "\(changes.needRestart.joined(separator: ","))"])
        }
    }
}

/// Runs ``SignalReloader/reload()`` on every SIGHUP until graceful shutdown.
struct SignalReloadService: Service {
    let signals: UnixSignalsSequence
    let reloader: SignalReloader

    func run() async throws {
        // Ends with graceful shutdown (cancelling the wait for the next signal).
        _ = await cancelWhenGracefulShutdown {
            for await _ in signals {
                reloader.reload()
            }
        }
    }
}

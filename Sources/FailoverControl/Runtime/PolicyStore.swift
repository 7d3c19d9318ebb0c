import FailoverPolicy
import Logging
import Metrics
import PegasusWire
import RouteModel
import Router
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The failover policies in use, from the policy directory (`failover.policies_dir`, `serve --policies`).
///
/// A directory that does not exist is not an error: every table gets ``Policy/builtInDefault``
/// (kind `manual`) and a warning is logged; if the directory appears later it is loaded.
/// A directory that exists must load at startup (a bad file is an error naming file and key).
/// ``reloadIfChanged()`` reloads when the `*.yaml` files changed (names or contents); a reload that
/// fails keeps the previous policies and logs why (naming file and key), so the decider keeps deciding
/// with the last good ones.
///
/// Metrics: `metaproxy_policy_reload_failures_total` counts reloads that failed (a changed directory
/// that does not load, or cannot be listed; each change is counted once, whether the decider's periodic
/// look or a SIGHUP found it); `metaproxy_policy_reload_failed` is 1 while the files on disk are not the
/// policies in use because they failed to load, 0 once a load succeeds.
///
/// The one owner of the current ``PolicySet``: FailoverPolicy only parses a directory into a value
/// (``PolicySet/load(directory:registry:)``); holding it, reloading it and logging that happen here.
public final class PolicyStore: Sendable {
    /// One loaded policy, as `GET /failover` lists it.
    public struct Summary: Sendable, Hashable, Codable {
        /// `name`.
        public var name: String
        /// The file it came from.
        public var file: String
        /// `kind`.
        public var kind: String
        /// `tables`.
        public var tables: [String]
    }

    private struct State {
        /// The policies in use; `nil` while the directory has never loaded (missing).
        var set: PolicySet?
        var fingerprint: UInt64?
        var lastError: String?
    }

    /// Logger metadata keys of policy loads.
    private enum LoggingKeys {
        static let policyDirectory = "metaproxy.policy.directory"
        static let policyFile = "metaproxy.policy.file"
        static let policyCount = "metaproxy.policy.count"
    }

    /// The policy directory.
    public let directory: String
    private let registry: PolicyRegistry
    private let logger: Logger
    private let state: Mutex<State>
    private let reloadFailures: Counter
    private let reloadFailed: Gauge

    /// Loads the directory.
    /// - Parameters:
    ///   - directory: The policy directory.
    ///   - registry: The kinds policy files may name.
    ///   - metricsFactory: The metrics backend of the reload-failure metrics (tests pass a test factory).
    ///   - logger: Loads and reloads at info, problems at warning.
    /// - Throws: ``PolicyError`` when the directory exists and a file in it is invalid, or when the path
    ///   exists but cannot be listed (``PolicyError/Code/unreadable``).
    public init(
        directory: String, registry: PolicyRegistry = .builtIn,
        metricsFactory: any MetricsFactory = MetricsSystem.factory, logger: Logger
    ) throws(PolicyError) {
        self.directory = directory
        self.registry = registry
        self.logger = logger
        self.reloadFailures = Counter(label: "metaproxy_policy_reload_failures_total", dimensions: [], factory: metricsFactory)
        self.reloadFailed = Gauge(label: "metaproxy_policy_reload_failed", dimensions: [], factory: metricsFactory)
        reloadFailed.record(0)
        let fingerprint = Self.fingerprint(of: directory)
        guard fingerprint != nil else {
            if let problem = Self.listingProblem(of: directory) {
                // There, but not a directory this process can list: a mistake, not "no policies yet".
                throw PolicyError(code: .unreadable, file: directory, keyPath: nil, message: problem)
            }
            logger.warning(
                "Policy directory not found; every table uses the built-in manual policy",
                metadata: ["metaproxy.policy.directory": "\(directory)"]
            )
            state = Mutex(State())
            return
        }
        let set = try PolicySet.load(directory: directory, registry: registry)
        Self.logLoaded(set, "policies loaded", directory: directory, logger: logger)
        state = Mutex(State(set: set, fingerprint: fingerprint))
    }

    /// The policies in use.
    public var current: PolicySet {
        state.withLock { $0.set } ?? .empty
    }

    /// Whether the directory was missing at the last look.
    public var isMissing: Bool {
        state.withLock { $0.set == nil }
    }

    /// The last load or reload error (the previous policies stayed in use), `nil` after a good load.
    public var lastError: String? {
        state.withLock { $0.lastError }
    }

    /// The loaded policies, in file-name order.
    public func summaries() -> [Summary] {
        current.policies.map { Summary(name: $0.name, file: $0.spec.file, kind: $0.spec.kind, tables: $0.spec.tables) }
    }

    /// Reloads the directory if its `*.yaml` files changed since the last look.
    /// - Returns: Whether a new policy set is in use.
    @discardableResult
    public func reloadIfChanged() -> Bool {
        let fingerprint = Self.fingerprint(of: directory)
        let (changed, hadSet) = state.withLock { state in
            (state.fingerprint != fingerprint, state.set != nil)
        }
        guard changed else { return false }
        guard fingerprint != nil else {
            state.withLock { $0.fingerprint = nil }
            reloadFailures.increment()
            reloadFailed.record(1)
            logger.warning(
                "Policy directory cannot be read; keeping the current policies",
                metadata: ["metaproxy.policy.directory": "\(directory)"]
            )
            return false
        }
        let outcome = Result { () throws(PolicyError) in try PolicySet.load(directory: directory, registry: registry) }
        switch outcome {
        case .success(let set):
            Self.logLoaded(set, hadSet ? "policies reloaded" : "policies loaded", directory: directory, logger: logger)
        case .failure(let error) where hadSet:
            logger.warning(
                "policy reload failed, keeping the previous policies",
                error: error,
                metadata: [
                    LoggingKeys.policyDirectory: "\(directory)",
                    LoggingKeys.policyFile: "\(error.file ?? directory)",
                ]
            )
        case .failure:
            break  // The directory never loaded: nothing is kept; `lastError` reports it.
        }
        switch outcome {
        case .success:
            reloadFailed.record(0)
        case .failure:
            reloadFailures.increment()
            reloadFailed.record(1)
        }
        return state.withLock { state in
            state.fingerprint = fingerprint
            switch outcome {
            case .success(let set):
                state.set = set
                state.lastError = nil
                return true
            case .failure(let error):
                state.lastError = error.description
                return false
            }
        }
    }

    /// Logs a successful load at info.
    private static func logLoaded(_ set: PolicySet, _ message: Logger.Message, directory: String, logger: Logger) {
        logger.info(
            message,
            metadata: [
                LoggingKeys.policyDirectory: "\(directory)",
                LoggingKeys.policyCount: "\(set.policies.count)",
            ]
        )
    }

    /// Why `directory`, which exists, cannot be listed (`cannot list the directory: Not a directory
    /// (errno 20)`); `nil` when it does not exist or can be listed.
    static func listingProblem(of directory: String) -> String? {
        var status = stat()
        guard stat(directory, &status) == 0 else { return nil }
        guard let handle = opendir(directory) else {
            let code = errno
            return "cannot list the directory: \(String(cString: strerror(code))) (errno \(code))"
        }
        closedir(handle)
        return nil
    }

    /// A hash of the directory's `*.yaml` names and contents; `nil` when the directory cannot be listed.
    static func fingerprint(of directory: String) -> UInt64? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        var bytes: [UInt8] = []
        for name in names.sorted() where name.hasSuffix(".yaml") && !name.hasPrefix(".") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            bytes.append(contentsOf: Array(name.utf8) + [0])
            bytes.append(contentsOf: FileManager.default.contents(atPath: path).map { Array($0) } ?? [0xFF])
            bytes.append(0)
        }
        return ContentHash.fnv1a(bytes)
    }
}

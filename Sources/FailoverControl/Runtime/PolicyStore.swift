import FailoverPolicy
import Logging
import PegasusWire
import RouteModel
import Router
import Synchronization

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
/// fails keeps the previous policies (``PolicyLoader``).
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
        var loader: PolicyLoader?
        var fingerprint: UInt64?
        var lastError: String?
    }

    /// The policy directory.
    public let directory: String
    private let registry: PolicyRegistry
    private let logger: Logger
    private let state: Mutex<State>

    /// Loads the directory.
    /// - Parameters:
    ///   - directory: The policy directory.
    ///   - registry: The kinds policy files may name.
    ///   - logger: Loads and reloads at info, problems at warning.
    /// - Throws: ``PolicyError`` when the directory exists and a file in it is invalid.
    public init(directory: String, registry: PolicyRegistry = .builtIn, logger: Logger) throws(PolicyError) {
        self.directory = directory
        self.registry = registry
        self.logger = logger
        let fingerprint = Self.fingerprint(of: directory)
        guard fingerprint != nil else {
            logger.warning(
                "Policy directory not found; every table uses the built-in manual policy",
                metadata: ["metaproxy.policy.directory": "\(directory)"]
            )
            state = Mutex(State())
            return
        }
        let loader = try PolicyLoader(directory: directory, registry: registry, logger: logger)
        state = Mutex(State(loader: loader, fingerprint: fingerprint))
    }

    /// The policies in use.
    public var current: PolicySet {
        state.withLock { $0.loader?.current } ?? .empty
    }

    /// Whether the directory was missing at the last look.
    public var isMissing: Bool {
        state.withLock { $0.loader == nil }
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
        let (changed, loader) = state.withLock { state in
            (state.fingerprint != fingerprint, state.loader)
        }
        guard changed else { return false }
        guard fingerprint != nil else {
            state.withLock { $0.fingerprint = nil }
            logger.warning(
                "Policy directory cannot be read; keeping the current policies",
                metadata: ["metaproxy.policy.directory": "\(directory)"]
            )
            return false
        }
        let outcome: Result<PolicyLoader?, PolicyError>
        if let loader {
            outcome = loader.reload().map { _ in nil }
        } else {
            outcome = Result { () throws(PolicyError) in
                try PolicyLoader(directory: directory, registry: registry, logger: logger)
            }.map { $0 }
        }
        return state.withLock { state in
            state.fingerprint = fingerprint
            switch outcome {
            case .success(let created):
                if let created {
                    state.loader = created
                }
                state.lastError = nil
                return true
            case .failure(let error):
                state.lastError = error.description
                return false
            }
        }
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

import Logging
import Synchronization

/// Holds the current ``PolicySet`` of a directory and reloads it on request.
///
/// A reload that fails keeps the previous set and logs why; the decider keeps deciding with the
/// last good policies. Reload and the initial load are lifecycle events, logged at info/warning.
public final class PolicyLoader: Sendable {
    /// The policy directory.
    public let directory: String
    /// The kinds files may name.
    public let registry: PolicyRegistry
    private let logger: Logger
    private let state: Mutex<PolicySet>

    /// Loads the directory once; unlike a reload, the first load must succeed.
    /// - Parameters:
    ///   - directory: The policy directory.
    ///   - registry: The kinds files may name; default ``PolicyRegistry/builtIn``.
    ///   - logger: Where reloads are reported.
    /// - Throws: ``PolicyError`` from ``PolicySet/load(directory:registry:)``.
    public init(directory: String, registry: PolicyRegistry = .builtIn, logger: Logger) throws(PolicyError) {
        self.directory = directory
        self.registry = registry
        self.logger = logger
        let set = try PolicySet.load(directory: directory, registry: registry)
        state = Mutex(set)
        logger.info(
            "policies loaded",
            metadata: [
                LoggingKeys.policyDirectory: "\(directory)",
                LoggingKeys.policyCount: "\(set.policies.count)",
            ]
        )
    }

    /// The set in use.
    public var current: PolicySet {
        state.withLock { $0 }
    }

    /// Loads the directory again. On success the new set replaces the current one; on failure the
    /// current set stays and the error is logged (naming file and key).
    /// - Returns: The new set, or the error that kept the old one.
    @discardableResult
    public func reload() -> Result<PolicySet, PolicyError> {
        let result = Result { () throws(PolicyError) in try PolicySet.load(directory: directory, registry: registry) }
        switch result {
        case .success(let set):
            state.withLock { $0 = set }
            logger.info(
                "policies reloaded",
                metadata: [
                    LoggingKeys.policyDirectory: "\(directory)",
                    LoggingKeys.policyCount: "\(set.policies.count)",
                ]
            )
        case .failure(let error):
            logger.warning(
                "policy reload failed, keeping the previous policies",
                error: error,
                metadata: [
                    LoggingKeys.policyDirectory: "\(directory)",
                    LoggingKeys.policyFile: "\(error.file ?? directory)",
                ]
            )
        }
        return result
    }
}

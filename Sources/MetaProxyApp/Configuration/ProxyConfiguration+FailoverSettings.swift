import FailoverPolicy
import FailoverControl
import PegasusWire
import RouteModel
import Router

extension ProxyConfiguration {
    /// The `failover` section: failover policies and health history.
    public struct FailoverSettings: Sendable, Equatable {
        /// `failover.policies_dir`: the directory of policy files, relative to the configuration file.
        /// Default `policies`.
        public var policiesDirectory: String
        /// `failover.history_size`: how many health samples per cluster the policies see. Default 20.
        public var historySize: Int
        /// `failover.state_file`: with a routes file (no ZooKeeper), where the effective routes are
        /// saved so a restart resumes them; relative to the configuration file. Default none (memory only).
        public var stateFile: String?
        /// `failover.hooks`: an executable and/or an HTTP URL called on every failover decision and
        /// refusal episode (docs/failover.md). Default none.
        public var hooks: FailoverHookSettings?
        /// `failover.peer_roots`: ZooKeeper roots of other meta-proxy deployments (e.g. the other
        /// zone's) on the same ensemble whose instances also count as observers for `switch.quorum`
        /// and `switch.replica_lease`. Absolute paths, distinct, not `zookeeper.root`; needs
        /// ZooKeeper. Default none.
        public var peerRoots: [String]
        /// `failover.catalog_scan`: `{reads_per_second: 200, interval: 10m}`, the pace and period of the
        /// decider's reconciliation scan of the protected-table index (docs/failover.md). ZooKeeper only.
        public var catalogScan: ProtectedIndexScanner.Settings

        /// The settings with every default (`policies` relative to the working directory).
        public init() {
            policiesDirectory = "policies"
            historySize = 20
            stateFile = nil
            hooks = nil
            peerRoots = []
            catalogScan = ProtectedIndexScanner.Settings()
        }

        static let keys: Set<String> = ["policies_dir", "history_size", "state_file", "hooks", "peer_roots", "catalog_scan"]

        /// Reads the section, keeping defaults for absent keys.
        /// - Parameter baseDirectory: The configuration file's directory, for a relative `policies_dir`.
        init(document: DocumentValue?, baseDirectory: String) throws(DocumentError) {
            self.init()
            policiesDirectory = ProxyConfiguration.resolve(policiesDirectory, relativeTo: baseDirectory)
            guard let document else { return }
            let section = try document.mapping(knownKeys: Self.keys)
            if let value = section["policies_dir"] {
                policiesDirectory = ProxyConfiguration.resolve(try value.string(), relativeTo: baseDirectory)
            }
            if let value = section["history_size"] {
                historySize = try value.integer(in: 1...100_000, expectation: "an integer from 1 to 100000")
            }
            if let value = section["state_file"] {
                stateFile = ProxyConfiguration.resolve(try value.string(), relativeTo: baseDirectory)
            }
            if let value = section["hooks"] {
                hooks = try Self.hooks(value, baseDirectory: baseDirectory)
            }
            if let value = section["catalog_scan"] {
                let scan = try value.mapping(knownKeys: ["reads_per_second", "interval"])
                if let rate = scan["reads_per_second"] {
                    catalogScan.readsPerSecond = try rate.integer(in: 1...100_000, expectation: "an integer from 1 to 100000")
                }
                if let interval = scan["interval"] {
                    guard let period = PolicyDuration.parse(try interval.string()), period >= .seconds(1) else {
                        throw interval.error("expected a duration of at least 1s, e.g. 10m")
                    }
                    catalogScan.interval = period
                }
            }
            if let value = section["peer_roots"] {
                peerRoots = []
                for item in try value.sequence() {
                    let root = try item.string()
                    guard ProxyConfiguration.isValidZooKeeperRoot(root) else {
                        throw item.error("expected an absolute ZooKeeper path like /pegasus-zone-b")
                    }
                    guard !peerRoots.contains(root) else { throw item.error("listed twice") }
                    peerRoots.append(root)
                }
            }
        }
    }
}

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Who runs an operator action, as recorded in audit data (planned switchover records and locks,
/// the global pause node, per-table pause logs).
///
/// JSON (keys sorted): `{"host": "ops-1", "operator": "cli:alice@ops-1", "os_user": "alice", "pid": 4242,
/// "zk_identity": "digest:alice"}`.
public struct OperatorIdentity: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The name written as `decided_by`, e.g. `cli:alice@ops-1`.
    public var operatorName: String
    /// The operating system user (`$USER`, else `$LOGNAME`).
    public var osUser: String
    /// The ZooKeeper identity the action authenticated as: `digest:<user>` for digest credentials,
    /// `<scheme>` for another scheme, ``anonymous`` without credentials.
    public var zooKeeperIdentity: String
    /// The host name.
    public var host: String
    /// The process id.
    public var pid: Int32

    /// The ZooKeeper identity of a session without credentials.
    public static let anonymous = "anonymous"

    enum CodingKeys: String, CodingKey {
        case host, pid
        case operatorName = "operator"
        case osUser = "os_user"
        case zooKeeperIdentity = "zk_identity"
    }

    /// Creates an identity.
    public init(operatorName: String, osUser: String, zooKeeperIdentity: String, host: String, pid: Int32) {
        self.operatorName = operatorName
        self.osUser = osUser
        self.zooKeeperIdentity = zooKeeperIdentity
        self.host = host
        self.pid = pid
    }

    /// This process's identity: the OS user and host from the environment, `zooKeeperIdentity` as given.
    public static func current(operatorName: String, zooKeeperIdentity: String) -> OperatorIdentity {
        let environment = ProcessInfo.processInfo.environment
        return OperatorIdentity(
            operatorName: operatorName,
            osUser: environment["USER"] ?? environment["LOGNAME"] ?? "unknown",
            zooKeeperIdentity: zooKeeperIdentity,
            host: ProcessInfo.processInfo.hostName,
            pid: ProcessInfo.processInfo.processIdentifier)
    }

    /// `alice (zk digest:alice) on ops-1 pid 4242`.
    public var description: String {
        "\(osUser) (zk \(zooKeeperIdentity)) on \(host) pid \(pid)"
    }
}

import PegasusWire
import RouteModel
import Router
import ZooKeeper

/// ZooKeeper credentials (`zookeeper.auth` or the content of `zookeeper.auth_file`): `scheme:credential`,
/// e.g. `digest:user:password`.
///
/// Its description, debug description and mirror never show the credential.
public struct ZooKeeperCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The authentication scheme, e.g. `digest`.
    public var scheme: String
    /// The secret part given to `zoo_add_auth`, e.g. `user:password`.
    public var credential: String
    /// Where the credentials came from, for messages that must point the operator at them without showing
    /// them: `zookeeper.auth`, `zookeeper.auth_file "/etc/meta-proxy/zk.auth"`, `--zk-auth`.
    public var source: String

    /// Parses `scheme:credential`.
    ///
    /// Returns `nil` when the text has no scheme, no credential, or (scheme `digest`) no `user:password`.
    /// The caller reports the problem; the text is a secret and must not be echoed.
    /// - Parameters:
    ///   - text: `scheme:credential`.
    ///   - source: Where the text came from (``source``).
    public init?(parsing text: String, source: String = "zookeeper.auth") {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let scheme = parts.first, let credential = parts.last,
            !scheme.isEmpty, !credential.isEmpty
        else { return nil }
        if scheme == "digest" {
            let userAndPassword = credential.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard userAndPassword.count == 2, userAndPassword.allSatisfy({ !$0.isEmpty }) else { return nil }
        }
        self.scheme = String(scheme)
        self.credential = String(credential)
        self.source = source
    }

    /// `<scheme>:<redacted>`.
    public var description: String { "\(scheme):<redacted>" }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// Shows the scheme only.
    public var customMirror: Mirror { Mirror(self, children: ["scheme": scheme, "source": source]) }

    /// The digest user, for scheme `digest` (the part before the password); `nil` otherwise.
    public var digestUser: String? {
        guard scheme == "digest" else { return nil }
        return credential.split(separator: ":", maxSplits: 1).first.map(String.init)
    }
}

extension ZooKeeperCredentials {
    /// The credentials as the ZooKeeper client takes them.
    public var clientAuth: ZooKeeperAuth {
        ZooKeeperAuth(scheme: scheme, credential: Array(credential.utf8))
    }
}

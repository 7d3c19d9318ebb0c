/// Credentials added to a session with `zoo_add_auth`.
///
/// Its description, debug description and mirror show the scheme only, never the credential.
public struct ZooKeeperAuth: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The scheme, such as `digest`.
    public var scheme: String
    /// The scheme's credential bytes, such as `user:password` for `digest`.
    public var credential: [UInt8]

    /// Creates credentials for any scheme.
    public init(scheme: String, credential: [UInt8]) {
        self.scheme = scheme
        self.credential = credential
    }

    /// Digest credentials, `user:password`. The server identifies the session as
    /// `digest:user:base64(sha1(user:password))`.
    public static func digest(_ userPassword: String) -> ZooKeeperAuth {
        ZooKeeperAuth(scheme: "digest", credential: Array(userPassword.utf8))
    }

    /// `<scheme>:<redacted>`.
    public var description: String { "\(scheme):<redacted>" }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// Shows the scheme only.
    public var customMirror: Mirror { Mirror(self, children: ["scheme": scheme]) }
}

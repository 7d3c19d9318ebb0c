/// Credentials added to a session with `zoo_add_auth`.
public struct ZooKeeperAuth: Sendable, Hashable {
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
}

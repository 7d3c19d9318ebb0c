/// The body of `GET /version`: `{"Version":"…","GitCommit":"…"}` (either may be an empty string).
public struct MetaVersion: Sendable, Hashable, Codable {
    /// The server version, e.g. `2.5.0`.
    public var version: String
    /// The server's git commit.
    public var gitCommit: String

    /// Creates a version.
    /// - Parameters:
    ///   - version: The server version.
    ///   - gitCommit: The git commit.
    public init(version: String, gitCommit: String) {
        self.version = version
        self.gitCommit = gitCommit
    }

    enum CodingKeys: String, CodingKey {
        case version = "Version"
        case gitCommit = "GitCommit"
    }
}

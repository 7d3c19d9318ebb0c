import CBuildInfo

/// What this binary is: its version, the git commit and date it was built from, and the Swift compiler
/// that built it. Shown by `meta-proxy --version`, logged at startup and exported as
/// `metaproxy_build_info`.
///
/// The commit, date and Swift version come from the build (Package.swift's `buildIdentity`, the
/// CBuildInfo target): a plain `swift build` in a git checkout knows the commit; the date is "unknown"
/// unless the build set `META_PROXY_BUILD_DATE` (scripts/build-release.sh and scripts/package.sh do).
public struct BuildInfo: Sendable, Equatable {
    /// meta-proxy's release version; the Debian package (scripts/package.sh) takes its version from here.
    public static let releaseVersion = "0.1.0"

    /// The release version (``releaseVersion``).
    public var version: String
    /// The git commit (40 hex digits, `-dirty` with uncommitted changes), or "unknown".
    public var commit: String
    /// When the binary was built (RFC 3339, UTC), or "unknown".
    public var buildDate: String
    /// The Swift compiler's version (`6.3.1`; major.minor when the build did not say).
    public var swiftVersion: String

    /// A build identity.
    public init(version: String, commit: String, buildDate: String, swiftVersion: String) {
        self.version = version
        self.commit = commit
        self.buildDate = buildDate
        self.swiftVersion = swiftVersion
    }

    /// This binary's identity.
    public static let current: BuildInfo = {
        let swift = String(cString: metaproxy_build_swift_version())
        return BuildInfo(
            version: releaseVersion,
            commit: String(cString: metaproxy_build_commit()),
            buildDate: String(cString: metaproxy_build_date()),
            swiftVersion: swift.isEmpty ? compilerVersion : swift)
    }()

    /// What `meta-proxy --version` prints: `meta-proxy <version>` on the first line, then one
    /// `key: value` line each for the commit, the build date and the Swift version.
    public var versionText: String {
        """
        meta-proxy \(version)
        commit: \(commit)
        built: \(buildDate)
        swift: \(swiftVersion)
        """
    }

    /// The version of the compiler that compiled this file, to major.minor.
    static var compilerVersion: String {
        #if compiler(>=7.0)
            ">=7.0"
        #elseif compiler(>=6.4)
            "6.4"
        #elseif compiler(>=6.3)
            "6.3"
        #elseif compiler(>=6.2)
            "6.2"
        #elseif compiler(>=6.1)
            "6.1"
        #else
            "6.0"
        #endif
    }
}

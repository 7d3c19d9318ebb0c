import FailoverPolicy
import RouteModel

/// Why `meta-proxy serve` could not start. Its ``description`` is the one line the command prints
/// (`meta-proxy: <description>`) before exiting with status 1: it names the address or file and the
/// operating-system error, e.g. `cannot listen on 0.0.0.0:34601 (server.listen): Address already in use (errno 98)`.
public struct StartupError: Error, CustomStringConvertible, Sendable {
    /// What could not be done.
    public enum Code: Sendable, Hashable {
        /// A listener could not be bound.
        case cannotListen
        /// The route source could not be opened (routes file unreadable or invalid).
        case routeSource
        /// The policy directory could not be read or holds an invalid policy.
        case policies
        /// No route source is configured.
        case noRouteSource
    }

    /// What could not be done.
    public var code: Code
    /// The one-line explanation.
    public var description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// A listener (`key`: `server.listen` or `server.admin_listen`) could not bind `address`.
    static func cannotListen(_ address: String, key: String, error: any Error) -> StartupError {
        StartupError(.cannotListen, "cannot listen on \(address) (\(key)): \(SystemErrorText.describe(error))")
    }

    /// The route source failed to open.
    static func routeSource(_ error: RouteError) -> StartupError {
        guard let underlying = error.underlying else { return StartupError(.routeSource, error.description) }
        var parts: [String] = []
        if let source = error.source { parts.append(source) }
        parts.append(error.reason)
        parts.append(SystemErrorText.describe(underlying))
        return StartupError(.routeSource, parts.joined(separator: ": "))
    }

    /// The policies failed to load.
    static func policies(_ error: PolicyError) -> StartupError {
        StartupError(.policies, "failover policies: \(error.description)")
    }
}

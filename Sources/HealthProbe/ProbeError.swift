/// An error from a health or duplication probe: what failed (``Code``) and where (the URL).
public struct ProbeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure. New codes may be added; switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case timeout = "timeout"
            case connectFailed = "connect_failed"
            case resolveFailed = "resolve_failed"
            case transport = "transport"
            case bodyTooLarge = "body_too_large"
            case unexpectedStatus = "unexpected_status"
            case invalidResponse = "invalid_response"
            case invalidURL = "invalid_url"
            case cancelled = "cancelled"
            case clientUnavailable = "client_unavailable"
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The request did not complete within its timeout (including a server that accepts and never answers).
        public static let timeout = Code(.timeout)
        /// The TCP connection could not be opened (refused, unreachable).
        public static let connectFailed = Code(.connectFailed)
        /// The host name in the address could not be resolved.
        public static let resolveFailed = Code(.resolveFailed)
        /// Any other transport failure: the connection was reset, closed early, or the reply was not HTTP.
        public static let transport = Code(.transport)
        /// The response body exceeded the client's limit.
        public static let bodyTooLarge = Code(.bodyTooLarge)
        /// The server answered with a status code the endpoint does not allow.
        public static let unexpectedStatus = Code(.unexpectedStatus)
        /// The server answered, but the body could not be parsed as the endpoint's documented shape.
        public static let invalidResponse = Code(.invalidResponse)
        /// The URL or address could not be used (malformed, or a protocol other than http).
        public static let invalidURL = Code(.invalidURL)
        /// The calling task was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The client cannot run requests: its thread pool is not active, or libcurl failed to initialise.
        public static let clientUnavailable = Code(.clientUnavailable)

        /// A stable snake_case name, also used as the `result` label of probe metrics.
        public var description: String { self.value.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// The URL requested (or the address probed when no URL was built).
    public var url: String
    /// The HTTP status, when the server answered.
    public var status: Int?
    /// A human-readable explanation (libcurl's message, the parse failure, the unexpected body).
    public var detail: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - url: The URL requested, or the address probed.
    ///   - status: The HTTP status, when the server answered.
    ///   - detail: A human-readable explanation.
    public init(_ code: Code, url: String, status: Int? = nil, detail: String = "") {
        self.code = code
        self.url = url
        self.status = status
        self.detail = detail
    }

    /// `"<code> <url> [status N]: <detail>"`.
    public var description: String {
        var text = "\(self.code) \(self.url)"
        if let status = self.status {
            text += " status \(status)"
        }
        if !self.detail.isEmpty {
            text += ": \(self.detail)"
        }
        return text
    }
}

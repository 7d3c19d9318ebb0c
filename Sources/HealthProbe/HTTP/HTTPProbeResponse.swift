/// One HTTP response as a probe sees it: redirects are never followed, so a 307 arrives here with its `Location`.
public struct HTTPProbeResponse: Sendable, Hashable {
    /// The HTTP status code.
    public var status: Int
    /// The raw `Location` header value, when the server sent one (not resolved or validated).
    public var location: String?
    /// The response body, at most the client's body limit.
    public var body: [UInt8]

    /// Creates a response.
    /// - Parameters:
    ///   - status: The HTTP status code.
    ///   - location: The raw `Location` header value.
    ///   - body: The response body.
    public init(status: Int, location: String? = nil, body: [UInt8] = []) {
        self.status = status
        self.location = location
        self.body = body
    }
}

import NIOHTTP1

/// An HTTP answer of the admin endpoint.
public struct AdminResponse: Sendable {
    /// HTTP status.
    public var status: HTTPResponseStatus
    /// `Content-Type` header.
    public var contentType: String
    /// Body bytes.
    public var body: String

    /// Creates a response.
    public init(status: HTTPResponseStatus = .ok, contentType: String = "text/plain; charset=utf-8", body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A JSON response.
    public static func json(_ body: String, status: HTTPResponseStatus = .ok) -> AdminResponse {
        AdminResponse(status: status, contentType: "application/json", body: body)
    }
}

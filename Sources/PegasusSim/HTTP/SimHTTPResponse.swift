/// An HTTP reply as rDSN writes one (src/http/http_server.cpp `http_response_reply`): status,
/// `Content-Type`, `Content-Length`, and `Location` for redirects.
struct SimHTTPResponse: Sendable {
    /// The status codes rDSN uses (src/http/http_status_code.cpp), and nothing else.
    enum Status: Int, Sendable {
        /// 200 OK.
        case ok = 200
        /// 307 Temporary Redirect.
        case temporaryRedirect = 307
        /// 400 Bad Request.
        case badRequest = 400
        /// 404 Not Found.
        case notFound = 404
        /// 500 Internal Server Error.
        case internalServerError = 500
    }

    /// Status.
    var status: Status
    /// Body text.
    var body: String
    /// `Location` header, for 307.
    var location: String?
    /// `Content-Type`: rDSN always says `text/plain`, even for JSON.
    var contentType = "text/plain"

    /// A 200 reply.
    static func ok(_ body: String) -> SimHTTPResponse {
        SimHTTPResponse(status: .ok, body: body)
    }

    /// A 200 reply holding `json` and a trailing newline, as `table_printer` output ends.
    static func printerJSON(_ json: SimJSON) -> SimHTTPResponse {
        SimHTTPResponse(status: .ok, body: json.render() + "\n")
    }

    /// A reply with an error status.
    static func error(_ status: Status, _ body: String) -> SimHTTPResponse {
        SimHTTPResponse(status: status, body: body)
    }
}

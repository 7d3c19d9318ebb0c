/// HTTP handling shared by MetaServers and ReplicaServers (docs/pegasus-reference.md §10).
extension SimClusterState {
    /// Decides the reply of `node` to an HTTP request for `target`, with `route` answering the
    /// node-specific paths (`nil` = unknown path).
    mutating func handleHTTP(
        _ node: SimNodeID,
        target: String,
        route: (SimClusterState, SimHTTPRequest) -> SimHTTPResponse?
    ) -> SimOutcome<SimHTTPResponse> {
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
        return admit(node, http: true, name: path).outcome {
            let request: SimHTTPRequest
            do throws(SimHTTPRequest.ParseError) {
                request = try SimHTTPRequest(target: target)
            } catch {
                return .success(.error(.badRequest, "failed to parse request: \(error.detail)"))
            }
            let response =
                commonHTTPResponse(node, request) ?? route(self, request)
                ?? .error(.notFound, "service not found for \"\(request.path)\"")
            return .success(response)
        }
    }

    /// The endpoints every rDSN process serves: `/version`, `/recentStartTime`.
    private func commonHTTPResponse(_ node: SimNodeID, _ request: SimHTTPRequest) -> SimHTTPResponse? {
        switch request.path {
        case "version":
            .printerJSON(.strings([("Version", configuration.version), ("GitCommit", "sim")]))
        case "recentStartTime":
            .printerJSON(.strings([("RecentStartTime", SimClock.dateTime(unixSeconds: startSecond))]))
        default:
            nil
        }
    }
}

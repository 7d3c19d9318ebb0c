/// What one simulated node has received, reset by `resetStats`.
struct SimNodeCounters: Sendable {
    /// `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX` requests received.
    var queryConfig = 0
    /// THFT requests received (any name).
    var requests = 0
    /// HTTP requests received.
    var http = 0

    /// Counts one request: HTTP, or THFT (and query config among those).
    mutating func count(http: Bool, queryConfig: Bool) {
        if http {
            self.http += 1
        } else {
            requests += 1
        }
        if queryConfig {
            self.queryConfig += 1
        }
    }
}

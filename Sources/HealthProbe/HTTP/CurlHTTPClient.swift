import NIOPosix

/// A minimal blocking-libcurl HTTP GET (and JSON POST, for failover hooks) client for health probes, made async by running each transfer
/// on a dedicated `NIOThreadPool` (never on an event loop or Swift's cooperative pool).
///
/// Redirects are never followed: a 307 is returned with its `Location`. Every transfer has a hard
/// timeout covering connect, send and receive, so a server that accepts TCP and never answers fails
/// with ``ProbeError/Code-swift.struct/timeout``. Proxies from the environment are ignored and only
/// `http` URLs are allowed.
///
/// - Important: The number of transfers running at once is bounded by the pool's thread count; further
///   requests queue. Easy handles are kept per pool thread and freed when those threads exit, so shut
///   the pool down only after the client's last request.
public final class CurlHTTPClient: Sendable {
    /// The default response body cap: 1 MiB.
    public static let defaultMaximumBodyBytes = 1 << 20

    private let threadPool: NIOThreadPool
    private let maximumBodyBytes: Int
    private let handles = ThreadSpecificVariable<CurlEasyHandle>()

    /// Creates a client running its transfers on `threadPool`.
    /// - Parameters:
    ///   - threadPool: A started pool dedicated to blocking work; the caller owns its lifecycle.
    ///   - maximumBodyBytes: Bodies larger than this fail with ``ProbeError/Code-swift.struct/bodyTooLarge``.
    public init(threadPool: NIOThreadPool, maximumBodyBytes: Int = CurlHTTPClient.defaultMaximumBodyBytes) {
        self.threadPool = threadPool
        self.maximumBodyBytes = max(0, maximumBodyBytes)
    }

    /// Performs `GET url` without following redirects.
    ///
    /// Cancelling the calling task aborts the transfer within about a second (libcurl's progress
    /// callback period) and throws ``ProbeError/Code-swift.struct/cancelled``.
    /// - Parameters:
    ///   - url: An absolute `http://` URL.
    ///   - timeout: The limit for the whole transfer (also used as the connect timeout).
    /// - Returns: The status, raw `Location` and body, whatever the status.
    /// - Throws: ``ProbeError`` with code `timeout`, `connectFailed`, `resolveFailed`, `bodyTooLarge`,
    ///   `transport`, `invalidURL`, `cancelled` or `clientUnavailable`.
    public func get(_ url: String, timeout: Duration) async throws(ProbeError) -> HTTPProbeResponse {
        try await transfer(url, jsonBody: nil, timeout: timeout)
    }

    /// Performs `POST url` with `body` as `Content-Type: application/json`, without following
    /// redirects; same timeout, cancellation and errors as ``get(_:timeout:)``.
    public func post(_ url: String, json body: [UInt8], timeout: Duration) async throws(ProbeError) -> HTTPProbeResponse {
        try await transfer(url, jsonBody: body, timeout: timeout)
    }

    private func transfer(_ url: String, jsonBody: [UInt8]?, timeout: Duration) async throws(ProbeError) -> HTTPProbeResponse {
        guard curlGlobalInitSucceeded else {
            throw ProbeError(.clientUnavailable, url: url, detail: "curl_global_init failed")
        }
        let milliseconds = Self.milliseconds(timeout)
        let maximumBodyBytes = self.maximumBodyBytes
        let handles = self.handles
        let cancellation = CurlCancellation()
        let result: Result<HTTPProbeResponse, ProbeError>
        do {
            result = try await withTaskCancellationHandler {
                try await self.threadPool.runIfActive {
                    Self.perform(
                        url: url,
                        jsonBody: jsonBody,
                        timeoutMilliseconds: milliseconds,
                        maximumBodyBytes: maximumBodyBytes,
                        cancellation: cancellation,
                        handles: handles
                    )
                }
            } onCancel: {
                cancellation.cancel()
            }
        } catch is CancellationError {
            throw ProbeError(.cancelled, url: url, detail: "cancelled before the transfer started")
        } catch {
            throw ProbeError(.clientUnavailable, url: url, detail: "thread pool not active: \(error)")
        }
        return try result.get()
    }

    /// Runs on a pool thread: takes (or creates) that thread's easy handle and performs the transfer.
    private static func perform(
        url: String,
        jsonBody: [UInt8]?,
        timeoutMilliseconds: Int,
        maximumBodyBytes: Int,
        cancellation: CurlCancellation,
        handles: ThreadSpecificVariable<CurlEasyHandle>
    ) -> Result<HTTPProbeResponse, ProbeError> {
        let handle: CurlEasyHandle
        if let existing = handles.currentValue {
            handle = existing
        } else if let created = CurlEasyHandle() {
            handles.currentValue = created
            handle = created
        } else {
            return .failure(ProbeError(.clientUnavailable, url: url, detail: "curl_easy_init failed"))
        }
        return handle.get(
            url: url,
            jsonBody: jsonBody,
            timeoutMilliseconds: timeoutMilliseconds,
            maximumBodyBytes: maximumBodyBytes,
            cancellation: cancellation
        )
    }

    /// The timeout in whole milliseconds, at least 1 (0 would mean "no timeout" to libcurl), at most a day.
    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let day: Int64 = 86_400_000
        guard seconds < day / 1000 else { return Int(day) }
        let total = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int(min(max(total, 1), day))
    }
}

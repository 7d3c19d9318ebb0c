import CCurl
import Synchronization

/// libcurl's process-wide initialisation, done once.
///
/// `curl_global_init` must run before any other libcurl call and is not thread-safe (before 7.84 it
/// must not race with any other libcurl use), so it cannot be called per client or per request.
/// A Swift global `let` is initialised exactly once, atomically, on first use: that is the set-once
/// guard. It is deliberately never undone with `curl_global_cleanup`, because other code in the
/// process may use libcurl too and clients may outlive any owner we could pick.
let curlGlobalInitSucceeded: Bool = mp_curl_global_init_default() == CURLE_OK

/// A flag the transfer's progress callback polls, set when the awaiting task is cancelled.
final class CurlCancellation: Sendable {
    private let cancelled = Atomic<Bool>(false)

    /// Asks the running transfer to abort at its next progress callback.
    func cancel() {
        self.cancelled.store(true, ordering: .relaxed)
    }

    /// Whether ``cancel()`` was called.
    var isCancelled: Bool {
        self.cancelled.load(ordering: .relaxed)
    }
}

/// What one transfer's C callbacks fill in. Lives on the stack of the pool thread running
/// `curl_easy_perform`; the callbacks run synchronously inside that call, on the same thread.
private final class CurlTransfer {
    let maximumBodyBytes: Int
    let cancellation: CurlCancellation
    var body: [UInt8] = []
    var location: String?
    var bodyTooLarge = false

    init(maximumBodyBytes: Int, cancellation: CurlCancellation) {
        self.maximumBodyBytes = maximumBodyBytes
        self.cancellation = cancellation
    }
}

/// The shared preamble of the data callbacks: recovers the transfer and the chunk length
/// (`size * count`); returning 0 to libcurl (on a missing context or overflow) fails the transfer.
private func withChunk(
    _ data: UnsafeMutablePointer<CChar>?,
    _ size: Int,
    _ count: Int,
    _ context: UnsafeMutableRawPointer?,
    _ body: (CurlTransfer, UnsafeRawBufferPointer) -> Int
) -> Int {
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let (length, overflow) = size.multipliedReportingOverflow(by: count)
    guard !overflow else { return 0 }
    guard let data, length > 0 else { return body(transfer, UnsafeRawBufferPointer(start: nil, count: 0)) }
    return body(transfer, UnsafeRawBufferPointer(start: data, count: length))
}

/// `CURLOPT_WRITEFUNCTION`: appends body bytes; returning less than offered fails the transfer
/// with `CURLE_WRITE_ERROR`, which is how the body cap is enforced.
private func curlWriteBody(
    _ data: UnsafeMutablePointer<CChar>?,
    _ size: Int,
    _ count: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int {
    withChunk(data, size, count, context) { transfer, chunk in
        guard chunk.count <= transfer.maximumBodyBytes - transfer.body.count else {
            transfer.bodyTooLarge = true
            return 0
        }
        transfer.body.append(contentsOf: chunk)
        return chunk.count
    }
}

/// `CURLOPT_HEADERFUNCTION`: called once per header line. Keeps the last response's `Location`.
private func curlHeaderLine(
    _ data: UnsafeMutablePointer<CChar>?,
    _ size: Int,
    _ count: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int {
    withChunk(data, size, count, context) { transfer, chunk in
        let line = String(decoding: chunk, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            // A new status line (an interim 1xx reply came first): forget the earlier headers.
            transfer.location = nil
        } else if let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "location" {
            transfer.location = String(line[line.index(after: colon)...].trimmingHTTPWhitespace())
        }
        return chunk.count
    }
}

/// `CURLOPT_XFERINFOFUNCTION`: non-zero aborts the transfer with `CURLE_ABORTED_BY_CALLBACK`.
private func curlProgress(
    _ context: UnsafeMutableRawPointer?,
    _ downloadTotal: curl_off_t,
    _ downloadNow: curl_off_t,
    _ uploadTotal: curl_off_t,
    _ uploadNow: curl_off_t
) -> Int32 {
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.cancellation.isCancelled ? 1 : 0
}

extension Substring {
    /// The text without leading and trailing spaces, tabs, CR and LF.
    fileprivate func trimmingHTTPWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = self.firstIndex(where: { !isSpace($0) }),
            let last = self.lastIndex(where: { !isSpace($0) })
        else { return self[self.endIndex...] }
        return self[first...last]
    }
}

/// One libcurl easy handle, reused for the transfers of a single pool thread.
///
/// `@unchecked Sendable` because the handle lives in a `ThreadSpecificVariable`: it is created, used
/// and destroyed (at thread exit) by one thread only, which is what libcurl requires of an easy
/// handle (never used from two threads at once). Reuse keeps libcurl's connection and DNS caches,
/// so a probe every interval reuses its keep-alive connection instead of reconnecting.
final class CurlEasyHandle: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    /// `CURLOPT_ERRORBUFFER` target; must outlive every transfer of the handle.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private static let errorBufferSize = Int(CURL_ERROR_SIZE)

    /// Creates a handle, or `nil` when libcurl cannot allocate one.
    init?() {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        self.errorBuffer = .allocate(capacity: Self.errorBufferSize)
        self.errorBuffer.initialize(repeating: 0, count: Self.errorBufferSize)
    }

    deinit {
        curl_easy_cleanup(self.handle)
        self.errorBuffer.deallocate()
    }

    /// Runs one blocking GET, or a POST of `jsonBody` (`Content-Type: application/json`). Call only on
    /// the thread that owns the handle.
    /// - Parameters:
    ///   - url: The absolute http URL.
    ///   - jsonBody: `nil` for a GET; the body of a POST.
    ///   - timeoutMilliseconds: The whole-transfer and connect timeout.
    ///   - maximumBodyBytes: The body cap.
    ///   - cancellation: Polled during the transfer.
    /// - Returns: The response, or the typed failure.
    func get(
        url: String,
        jsonBody: [UInt8]? = nil,
        timeoutMilliseconds: Int,
        maximumBodyBytes: Int,
        cancellation: CurlCancellation
    ) -> Result<HTTPProbeResponse, ProbeError> {
        let transfer = CurlTransfer(maximumBodyBytes: maximumBodyBytes, cancellation: cancellation)
        return withExtendedLifetime(transfer) {
            let context = Unmanaged.passUnretained(transfer).toOpaque()
            curl_easy_reset(self.handle)
            self.errorBuffer[0] = 0
            // libcurl copies string options (since 7.17), so the C string need not outlive setopt.
            let setup = url.withCString { urlPointer in
                self.configure(url: urlPointer, timeoutMilliseconds: timeoutMilliseconds, context: context)
            }
            if let failure = setup {
                return .failure(ProbeError(.clientUnavailable, url: url, detail: failure))
            }
            var headers: UnsafeMutablePointer<curl_slist>?
            defer { curl_slist_free_all(headers) }
            if let jsonBody {
                headers = curl_slist_append(nil, "Content-Type: application/json")
                let posted = jsonBody.withUnsafeBytes { bytes in
                    [
                        mp_curl_setopt_long(self.handle, CURLOPT_POST, 1),
                        mp_curl_setopt_long(self.handle, CURLOPT_POSTFIELDSIZE, jsonBody.count),
                        // Copied by libcurl: the bytes need not outlive this call.
                        mp_curl_setopt_ptr(self.handle, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress),
                        mp_curl_setopt_ptr(self.handle, CURLOPT_HTTPHEADER, UnsafeRawPointer(headers)),
                    ]
                }
                if let failed = posted.first(where: { $0 != CURLE_OK }) {
                    return .failure(ProbeError(.clientUnavailable, url: url, detail: "setting up the POST: \(Self.message(for: failed))"))
                }
            }
            let code = curl_easy_perform(self.handle)
            guard code == CURLE_OK else {
                return .failure(self.error(for: code, url: url, transfer: transfer))
            }
            var status = 0
            _ = mp_curl_getinfo_long(self.handle, CURLINFO_RESPONSE_CODE, &status)
            return .success(HTTPProbeResponse(status: status, location: transfer.location, body: transfer.body))
        }
    }

    /// Sets every option of a probe GET; returns a description of the first option libcurl rejected.
    private func configure(
        url: UnsafePointer<CChar>,
        timeoutMilliseconds: Int,
        context: UnsafeMutableRawPointer
    ) -> String? {
        let longOptions: [(CURLoption, Int, String)] = [
            (CURLOPT_HTTPGET, 1, "HTTPGET"),
            (CURLOPT_FOLLOWLOCATION, 0, "FOLLOWLOCATION"),
            // Signals are process-wide: never let libcurl use SIGALRM for timeouts in a threaded process.
            (CURLOPT_NOSIGNAL, 1, "NOSIGNAL"),
            (CURLOPT_TIMEOUT_MS, timeoutMilliseconds, "TIMEOUT_MS"),
            (CURLOPT_CONNECTTIMEOUT_MS, timeoutMilliseconds, "CONNECTTIMEOUT_MS"),
            (CURLOPT_NOPROGRESS, 0, "NOPROGRESS"),
        ]
        for (option, value, name) in longOptions where mp_curl_setopt_long(self.handle, option, value) != CURLE_OK {
            return "curl_easy_setopt(\(name)) failed"
        }
        let results: [(CURLcode, String)] = [
            (mp_curl_setopt_ptr(self.handle, CURLOPT_URL, url), "URL"),
            (mp_curl_setopt_ptr(self.handle, CURLOPT_ERRORBUFFER, self.errorBuffer), "ERRORBUFFER"),
            // Probes go straight to the server: ignore http_proxy and friends from the environment.
            ("".withCString { mp_curl_setopt_ptr(self.handle, CURLOPT_PROXY, $0) }, "PROXY"),
            ("http".withCString { mp_curl_setopt_ptr(self.handle, CURLOPT_PROTOCOLS_STR, $0) }, "PROTOCOLS_STR"),
            (mp_curl_setopt_write(self.handle, CURLOPT_WRITEFUNCTION, curlWriteBody), "WRITEFUNCTION"),
            (mp_curl_setopt_ptr(self.handle, CURLOPT_WRITEDATA, context), "WRITEDATA"),
            (mp_curl_setopt_write(self.handle, CURLOPT_HEADERFUNCTION, curlHeaderLine), "HEADERFUNCTION"),
            (mp_curl_setopt_ptr(self.handle, CURLOPT_HEADERDATA, context), "HEADERDATA"),
            (mp_curl_setopt_xferinfo(self.handle, curlProgress), "XFERINFOFUNCTION"),
            (mp_curl_setopt_ptr(self.handle, CURLOPT_XFERINFODATA, context), "XFERINFODATA"),
        ]
        for (code, name) in results where code != CURLE_OK {
            return "curl_easy_setopt(\(name)) failed: \(Self.message(for: code))"
        }
        return nil
    }

    /// Maps a failed transfer to a typed error, with libcurl's detailed message.
    private func error(for code: CURLcode, url: String, transfer: CurlTransfer) -> ProbeError {
        let detailed = String(cString: self.errorBuffer)
        let detail = detailed.isEmpty ? Self.message(for: code) : detailed
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return ProbeError(.timeout, url: url, detail: detail)
        case CURLE_COULDNT_CONNECT:
            return ProbeError(.connectFailed, url: url, detail: detail)
        case CURLE_COULDNT_RESOLVE_HOST:
            return ProbeError(.resolveFailed, url: url, detail: detail)
        case CURLE_WRITE_ERROR where transfer.bodyTooLarge:
            return ProbeError(
                .bodyTooLarge,
                url: url,
                detail: "response body exceeds \(transfer.maximumBodyBytes) bytes"
            )
        case CURLE_ABORTED_BY_CALLBACK where transfer.cancellation.isCancelled:
            return ProbeError(.cancelled, url: url, detail: detail)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return ProbeError(.invalidURL, url: url, detail: detail)
        default:
            return ProbeError(.transport, url: url, detail: detail)
        }
    }

    private static func message(for code: CURLcode) -> String {
        guard let text = curl_easy_strerror(code) else { return "CURLcode \(code.rawValue)" }
        return String(cString: text)
    }
}

/// `failover.hooks`: what to call on every decision and refusal episode (``FailoverHooks``).
public struct FailoverHookSettings: Sendable, Equatable {
    /// `exec`: an executable run with the event JSON on stdin (and `META_PROXY_HOOK_*` variables).
    public var exec: String?
    /// `url`: an `http://` URL POSTed the event JSON (`Content-Type: application/json`); a 2xx
    /// status is success.
    public var url: String?
    /// `timeout`: how long one call may take; the process is killed (SIGKILL) and the request
    /// aborted after it. Default 5 s.
    public var timeout: Duration
    /// `queue`: how many events wait at most; more are dropped and counted. Default 100.
    public var queueCapacity: Int

    /// Creates settings.
    public init(exec: String? = nil, url: String? = nil, timeout: Duration = .seconds(5), queueCapacity: Int = 100) {
        self.exec = exec
        self.url = url
        self.timeout = timeout
        self.queueCapacity = queueCapacity
    }
}

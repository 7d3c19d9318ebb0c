import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// How one hook call ended.
enum HookOutcome: Sendable, Equatable {
    /// Exit status 0, or a 2xx answer.
    case ok
    /// It did not finish within the timeout: the process was killed, the request aborted.
    case timedOut
    /// Anything else, for the log.
    case failed(String)

    /// The `result` label of `metaproxy_failover_hook_calls_total`.
    var label: String {
        switch self {
        case .ok: "ok"
        case .timedOut: "timeout"
        case .failed: "failed"
        }
    }
}

/// Runs an exec hook: the executable with the payload on stdin, killed after the timeout.
enum HookProcess {
    /// Runs `path` with `payload` on stdin and `environment` added to this process's, waiting at
    /// most `timeout` (then SIGKILL). Stdout and stderr are discarded.
    static func run(_ path: String, payload: [UInt8], environment: [String: String], timeout: Duration) async -> HookOutcome {
        ignoreSIGPIPE
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failed("cannot start \(path): \(error)")
        }
        // The payload is far below a pipe's buffer, so this never blocks; a hook that exits without
        // reading makes it fail with EPIPE (SIGPIPE is ignored), which its exit status then explains.
        try? stdin.fileHandleForWriting.write(contentsOf: payload)
        try? stdin.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return .timedOut
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        switch process.terminationReason {
        case .exit where process.terminationStatus == 0:
            return .ok
        case .exit:
            return .failed("exit status \(process.terminationStatus)")
        case .uncaughtSignal:
            return .failed("killed by signal \(process.terminationStatus)")
        @unknown default:
            return .failed("ended with status \(process.terminationStatus)")
        }
    }

    /// Writing to a pipe whose reader is gone must fail the write, not kill the proxy.
    private static let ignoreSIGPIPE: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()
}

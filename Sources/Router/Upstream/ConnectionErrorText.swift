import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Connection errors in one line for people: `Connection refused (errno 111)` instead of NIO's
/// `NIOConnectionError(… SingleConnectionFailure(target: [IPv4]…, error: …))` dump.
public enum ConnectionErrorText {
    /// The operating-system error (or timeout) behind a failed connect or a broken connection, or
    /// `nil` when `error` is none of those.
    public static func describe(anyConnectionError error: any Error) -> String? {
        switch error {
        case let error as NIOConnectionError:
            return describe(error)
        case let error as IOError:
            return describe(errno: error.errnoCode)
        case let error as ChannelError:
            switch error {
            case .connectTimeout(let amount):
                return "connect timed out after \(amount.nanoseconds / 1_000_000) ms"
            case .ioOnClosedChannel, .alreadyClosed, .eof:
                return "connection closed"
            default:
                return nil
            }
        default:
            return nil
        }
    }

    /// The last attempt's OS error of a failed connect (or the DNS error), one line.
    public static func describe(_ error: NIOConnectionError) -> String {
        if let last = error.connectionErrors.last {
            return describe(anyConnectionError: last.error) ?? "\(last.error)"
        }
        if let dns = error.dnsAError ?? error.dnsAAAAError {
            return "cannot resolve \(error.host): \(dns)"
        }
        return "no address to connect to for \(error.host)"
    }

    /// `<strerror> (errno <n>)`.
    public static func describe(errno code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}

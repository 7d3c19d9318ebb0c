import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Operating-system errors for people: `Address already in use (errno 98)` rather than NIO's or
/// Foundation's debug dump.
enum SystemErrorText {
    /// The errno behind `error`, if it is (or wraps) an operating-system error.
    static func errno(of error: any Error) -> Int32? {
        if let error = error as? IOError { return error.errnoCode }
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return Int32(clamping: nsError.code) }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(clamping: underlying.code)
        }
        if nsError.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: nsError.code) {
            case .fileReadNoSuchFile, .fileNoSuchFile: return ENOENT
            case .fileReadNoPermission: return EACCES
            default: return nil
            }
        }
        return nil
    }

    /// `<strerror> (errno <n>)` for an operating-system error, else the error's description.
    static func describe(_ error: any Error) -> String {
        guard let code = errno(of: error) else { return "\(error)" }
        return describe(errno: code)
    }

    /// `<strerror> (errno <n>)`.
    static func describe(errno code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}

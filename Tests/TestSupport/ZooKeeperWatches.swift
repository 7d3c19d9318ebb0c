import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension TestZooKeeper {
    /// Sends a four-letter word (`wchc`, `wchs`, `mntr`…) to the shared server and returns its answer.
    /// The word must be in the server's `4lw.commands.whitelist` (`scripts/zk.sh` enables `wchs`, `wchc`, `wchp`).
    public static func fourLetterWord(_ word: String) throws -> String {
        let (host, port) = try hostAndPort()
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw FourLetterWordError(word: word, reason: "socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw FourLetterWordError(word: word, reason: "connect() failed") }
        let bytes = Array(word.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else {
            throw FourLetterWordError(word: word, reason: "write() failed")
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// The paths the server holds a data (or exists) watch on for `session`, from `wchc`: each path once
    /// however many watches the client set on it. Child watches are not listed (`mntr`'s
    /// `zk_watch_count` counts both kinds, for all sessions).
    public static func watchedPaths(session: Int64) throws -> [String] {
        let text = try fourLetterWord("wchc")
        if text.contains("is not executed because it is not in the whitelist") {
            throw FourLetterWordError(word: "wchc", reason: text)
        }
        let id = "0x" + String(UInt64(bitPattern: session), radix: 16)
        var paths: [String] = []
        var inSession = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("0x") {
                inSession = line.trimmingCharacters(in: .whitespaces) == id
            } else if inSession, line.hasPrefix("\t") {
                paths.append(line.trimmingCharacters(in: .whitespaces))
            }
        }
        return paths.sorted()
    }
}

/// A four-letter word could not be sent or was refused.
public struct FourLetterWordError: Error, CustomStringConvertible {
    /// The word.
    public var word: String
    /// Why.
    public var reason: String
    /// `<word>: <reason>`.
    public var description: String { "\(word): \(reason)" }
}

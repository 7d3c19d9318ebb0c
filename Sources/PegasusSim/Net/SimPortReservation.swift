#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keeps a dead node's port: a TCP socket bound to it but not listening, so connections to the
/// port are refused (RST), as for a dead MetaServer, and the kernel does not hand the port out as
/// an ephemeral port meanwhile — so the node can be revived on the same port.
struct SimPortReservation: ~Copyable {
    private let descriptor: Int32

    /// Binds `host:port` (IPv4); `nil` if that fails (the node then revives on a best-effort basis).
    init?(host: String, port: Int) {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return nil }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port)).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            _ = close(fd)
            return nil
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            _ = close(fd)
            return nil
        }
        descriptor = fd
    }

    deinit {
        _ = close(descriptor)
    }
}

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
        // The sockaddr_in is laid out by hand: under MemberImportVisibility a release build resolves
        // `sockaddr_in`'s members to NIO's C shim module instead of Glibc.
        var ipv4: UInt32 = 0
        guard inet_pton(AF_INET, host, &ipv4) == 1 else {
            _ = close(fd)
            return nil
        }
        let portNumber = UInt16(clamping: port)
        var address = [UInt8](repeating: 0, count: 16)
        withUnsafeBytes(of: sa_family_t(AF_INET)) { address.replaceSubrange(0..<2, with: $0) }
        address[2] = UInt8(portNumber >> 8)
        address[3] = UInt8(portNumber & 0xFF)
        withUnsafeBytes(of: ipv4) { address.replaceSubrange(4..<8, with: $0) }
        let bound = address.withUnsafeBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress else { return -1 }
            return bind(fd, base.assumingMemoryBound(to: sockaddr.self), socklen_t(bytes.count))
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

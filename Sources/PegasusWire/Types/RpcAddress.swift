import NIOCore

/// rDSN `rpc_address`: one i64 under a STRUCT field header (docs/pegasus-reference.md §5.1).
///
/// Bits 0-1 are the address type (0 invalid, 1 IPv4, 2 group), bits 16-31 the port, bits 32-63
/// the IPv4 address with the first octet in the top byte: `(ip << 32) | (port << 16) | 1`.
/// All zero means invalid/unset. The raw value is kept as received.
public struct RpcAddress: Hashable, Sendable, CustomStringConvertible, ThriftCodable {
    /// The packed 64-bit value as sent on the wire.
    public var rawValue: UInt64

    /// The invalid (all-zero) address, meaning "no address".
    public static let invalid = RpcAddress(rawValue: 0)

    /// Wraps a packed value.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// An IPv4 address and port, type 1.
    /// - Parameters:
    ///   - ipv4: The address in host order (first octet in the top byte: 127.0.0.1 is `0x7f000001`).
    ///   - port: The TCP port.
    public init(ipv4: UInt32, port: UInt16) {
        self.rawValue = UInt64(ipv4) << 32 | UInt64(port) << 16 | 1
    }

    /// Parses `a.b.c.d:port`; `nil` for anything else (host names, IPv6, out-of-range parts).
    public init?(parsing text: some StringProtocol) {
        guard text.utf8.allSatisfy({ $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") || ($0 >= 0x30 && $0 <= 0x39) })
        else {
            return nil
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = UInt16(parts[1]) else {
            return nil
        }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else {
            return nil
        }
        var ip: UInt32 = 0
        for octet in octets {
            guard octet.count <= 3, let value = UInt8(octet) else {
                return nil
            }
            ip = ip << 8 | UInt32(value)
        }
        self.init(ipv4: ip, port: port)
    }

    /// Reads the payload: one i64.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.rawValue = UInt64(bitPattern: try reader.readI64())
    }

    /// Writes the payload: one i64.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftI64(Int64(bitPattern: rawValue))
    }

    /// Address type: 0 invalid, 1 IPv4, 2 group.
    public var addressType: UInt8 { UInt8(truncatingIfNeeded: rawValue & 0x3) }
    /// IPv4 address in host order.
    public var ipv4: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }
    /// Port.
    public var port: UInt16 { UInt16(truncatingIfNeeded: rawValue >> 16) }
    /// Whether this is the all-zero "no address" value.
    public var isInvalid: Bool { rawValue == 0 }

    /// `a.b.c.d:port`, or `invalid address` for zero.
    public var description: String {
        if isInvalid {
            return "invalid address"
        }
        let ip = ipv4
        return "\(ip >> 24).\(ip >> 16 & 0xff).\(ip >> 8 & 0xff).\(ip & 0xff):\(port)"
    }
}

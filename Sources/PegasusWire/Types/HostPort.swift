import NIOCore

/// rDSN `host_port`: string host, i16 port, byte type, under a STRUCT field header but with no
/// struct framing (docs/pegasus-reference.md §5.1). Type 1 = IPv4, 0 = invalid.
public struct HostPort: Hashable, Sendable, CustomStringConvertible, ThriftCodable {
    /// Host name or address text.
    public var host: String
    /// Port (sent as a signed i16: 34601 is `8729`).
    public var port: UInt16
    /// Host type byte: 1 = IPv4, 0 = invalid.
    public var type: UInt8

    /// Creates a host:port.
    public init(host: String, port: UInt16, type: UInt8 = 1) {
        self.host = host
        self.port = port
        self.type = type
    }

    /// Parses `host:port` (the last colon separates the port); `nil` if malformed.
    public init?(parsing text: some StringProtocol) {
        guard let colon = text.lastIndex(of: ":") else {
            return nil
        }
        let host = text[..<colon]
        let portText = text[text.index(after: colon)...]
        guard !host.isEmpty, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let port = UInt16(portText) else {
            return nil
        }
        self.init(host: String(host), port: port)
    }

    /// Reads the payload: string, i16, byte.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.host = try reader.readString()
        self.port = UInt16(bitPattern: try reader.readI16())
        self.type = UInt8(bitPattern: try reader.readByte())
    }

    /// Writes the payload: string, i16, byte.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftString(host)
        buffer.writeThriftI16(Int16(bitPattern: port))
        buffer.writeThriftByte(Int8(bitPattern: type))
    }

    /// Whether this is an unset host_port (type 0).
    public var isInvalid: Bool { type == 0 }

    /// `host:port`.
    public var description: String { "\(host):\(port)" }
}

import Foundation
import NIOCore
import NIOPosix
import PegasusSim
import PegasusWire
import Synchronization
import TestSupport

/// A test ran past one of its generous waits.
struct TestTimeout: Error, CustomStringConvertible {
    var description: String
}

/// Bytes received on a test connection, and whether the peer closed it.
final class Inbox: Sendable {
    private let state = Mutex<(buffer: ByteBuffer, closed: Bool)>((ByteBuffer(), false))

    func append(_ bytes: ByteBuffer) {
        state.withLock { state in
            var bytes = bytes
            state.buffer.writeBuffer(&bytes)
        }
    }

    func markClosed() {
        state.withLock { $0.closed = true }
    }

    var isClosed: Bool {
        state.withLock { $0.closed }
    }

    /// Runs `parse` on the received bytes; it consumes what it returns.
    func take<T: Sendable>(_ parse: (inout ByteBuffer) throws -> T?) rethrows -> T? {
        try state.withLock { state in try parse(&state.buffer) }
    }
}

/// Feeds an `Inbox`.
final class InboxHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    let inbox: Inbox

    init(inbox: Inbox) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inbox.append(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.markClosed()
        context.fireChannelInactive()
    }
}

/// An HTTP reply, parsed just enough for the tests.
struct TestHTTPResponse {
    var status: Int
    var headers: [String: String]
    var body: String
}

/// A raw TCP connection to a simulated node, speaking THFT through PegasusWire's codec, or HTTP.
struct TestConnection {
    let channel: any Channel
    let inbox: Inbox

    /// Connects to `address` (`host:port`); throws when the connection is refused.
    static func connect(_ address: String) async throws -> TestConnection {
        let parts = address.split(separator: ":")
        let inbox = Inbox()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(InboxHandler(inbox: inbox))
                }
            }
            .connect(host: String(parts[0]), port: Int(parts[1]) ?? 0)
            .get()
        return TestConnection(channel: channel, inbox: inbox)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func send(_ frames: RequestFrame...) async throws {
        var buffer = ByteBuffer()
        for frame in frames {
            frame.encode(into: &buffer)
        }
        try await channel.writeAndFlush(buffer)
    }

    func send(http target: String) async throws {
        try await send(Array("GET \(target) HTTP/1.1\r\nHost: sim\r\n\r\n".utf8))
    }

    /// The next reply frame, or `nil` when none arrived within `timeout`.
    func replyIfAny(within timeout: Duration) async throws -> ResponseFrame? {
        try await poll(within: timeout, every: .milliseconds(5)) {
            try inbox.take { buffer -> ResponseFrame? in
                guard let total = try ResponseFrame.frameLength(peeking: buffer, maxFrameBytes: 1 << 24),
                    buffer.readableBytes >= total
                else {
                    return nil
                }
                return try ResponseFrame.read(from: &buffer)
            }
        }
    }

    /// The next reply frame.
    func reply(within timeout: Duration = .seconds(10)) async throws -> ResponseFrame {
        guard let frame = try await replyIfAny(within: timeout) else {
            throw TestTimeout(description: "no reply within \(timeout)")
        }
        return frame
    }

    /// The next RDSN reply frame.
    func rdsnReply(within timeout: Duration = .seconds(10)) async throws -> RdsnFrame {
        let frame = try await poll(within: timeout, every: .milliseconds(5)) {
            try inbox.take { buffer -> RdsnFrame? in
                guard let total = try RdsnFrame.frameLength(peeking: buffer, maxFrameBytes: 1 << 24),
                    buffer.readableBytes >= total
                else {
                    return nil
                }
                return try RdsnFrame.read(from: &buffer)
            }
        }
        guard let frame else { throw TestTimeout(description: "no RDSN reply within \(timeout)") }
        return frame
    }

    /// The next HTTP response (the sim always sends Content-Length).
    func httpResponse(within timeout: Duration = .seconds(10)) async throws -> TestHTTPResponse {
        let response = await poll(within: timeout, every: .milliseconds(5)) {
            inbox.take { buffer -> TestHTTPResponse? in
                let text = String(decoding: buffer.readableBytesView, as: UTF8.self)
                guard let end = text.range(of: "\r\n\r\n") else {
                    return nil
                }
                let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
                let status = Int(lines[0].split(separator: " ")[1]) ?? 0
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    if let colon = line.firstIndex(of: ":") {
                        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                            .trimmingCharacters(in: .whitespaces)
                    }
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                let headerBytes = text[..<end.upperBound].utf8.count
                guard buffer.readableBytes >= headerBytes + length else {
                    return nil
                }
                buffer.moveReaderIndex(forwardBy: headerBytes)
                let body = buffer.readString(length: length) ?? ""
                return TestHTTPResponse(status: status, headers: headers, body: body)
            }
        }
        guard let response else {
            throw TestTimeout(description: "no HTTP response within \(timeout)")
        }
        return response
    }

    /// Whether the peer closed the connection within `timeout`.
    func closedByPeer(within timeout: Duration = .seconds(10)) async throws -> Bool {
        await eventually(within: timeout, every: .milliseconds(5)) { inbox.isClosed }
    }

    func close() async {
        try? await channel.close()
    }

    /// Sends one request on a fresh connection to `address` and returns its reply.
    static func exchange(_ address: String, _ frame: RequestFrame) async throws -> ResponseFrame {
        let connection = try await connect(address)
        try await connection.send(frame)
        let reply = try await connection.reply()
        await connection.close()
        return reply
    }

    /// Sends one HTTP GET on a fresh connection to `address` and returns the response.
    static func get(_ address: String, _ target: String) async throws -> TestHTTPResponse {
        let connection = try await connect(address)
        try await connection.send(http: target)
        let response = try await connection.httpResponse()
        await connection.close()
        return response
    }
}

/// Builders for requests, as the clients send them.
enum Requests {
    static let v0 = RequestHeader()
    static let v1 = RequestHeader(version: .v1, appId: -1, partitionIndex: -1, clientTimeout: 5000)

    static func queryConfig(_ table: String, seqid: Int32 = 1, indices: [Int32] = [], header: RequestHeader = v0)
        -> RequestFrame
    {
        RequestFrame.make(
            header: header,
            name: RpcName.queryConfig,
            seqid: seqid,
            args: QueryConfigRequest(appName: table, partitionIndices: indices)
        )
    }

    static func make(_ name: String, seqid: Int32 = 1, args: some ThriftEncodable, gpid: Gpid? = nil) -> RequestFrame {
        var header = v0
        if let gpid {
            header.appId = gpid.appId
            header.partitionIndex = gpid.partitionIndex
        }
        return RequestFrame.make(header: header, name: name, seqid: seqid, args: args)
    }
}

/// Starts clusters for tests and stops them afterwards.
func withCluster<T>(
    _ configuration: SimClusterConfiguration,
    _ body: (SimCluster) async throws -> T
) async throws -> T {
    let cluster = try SimCluster(configuration: configuration)
    try await cluster.start()
    do {
        let result = try await body(cluster)
        await cluster.stop()
        return result
    } catch {
        await cluster.stop()
        throw error
    }
}

/// A cluster named `simA` with tables t1 (8 partitions) and t2 (4).
func standardConfiguration(
    replyShape: SimReplyShape = .v25,
    duplicationShape: SimDuplicationShape = .master
) -> SimClusterConfiguration {
    SimClusterConfiguration(
        name: "simA",
        tables: [SimTable(name: "t1", partitionCount: 8), SimTable(name: "t2", partitionCount: 4)],
        replyShape: replyShape,
        duplicationShape: duplicationShape
    )
}

/// Golden reply bytes from `Tests/Fixtures/pegasus-rpc` (see its README.md).
enum Golden {
    static func bytes(_ name: String) throws -> [UInt8] {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/", !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path)
        {
            url = url.deletingLastPathComponent()
        }
        let file = url.appendingPathComponent("Tests/Fixtures/pegasus-rpc/\(name)")
        let hex = try String(contentsOf: file, encoding: .utf8).filter(\.isHexDigit)
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }
}

extension ResponseFrame {
    /// The frame's bytes as the server wrote them.
    var encodedBytes: [UInt8] {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }
}

extension RequestFrame {
    /// The frame's bytes as a client writes them.
    var encodedBytes: [UInt8] {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }
}

/// `RpcAddress` of a `host:port` text.
func rpcAddress(_ text: String) -> RpcAddress {
    RpcAddress(parsing: text) ?? .invalid
}

/// Parses a JSON body.
func json(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}

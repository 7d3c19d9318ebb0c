import AdminHTTP
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycleTestKit
import TestSupport
import Testing

/// ``AdminServer`` on real sockets: the connection cap.
@Suite("AdminServer")
struct AdminServerTests {
    /// Runs a server with `limits` and one endpoint (`/healthz`) during `body`.
    static func withServer(
        limits: AdminServerLimits, _ body: (AdminServer, Int) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = AdminServer(
            host: "127.0.0.1", port: 0, group: group,
            handlers: ["/healthz": { _ in AdminResponse(body: "ok\n") }],
            limits: limits, logger: TestLogging.quiet)
        do {
            try await testGracefulShutdown { shutdown in
                async let running: Void = server.run()
                let port = try #require(await poll { server.localAddress?.port })
                try await body(server, port)
                shutdown.triggerGracefulShutdown()
                try await running
            }
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }

    @Test("connections over admin_max_connections are closed at once and counted; a bystander gets in after")
    func connectionCap() async throws {
        let limits = AdminServerLimits(maxConnections: 4, headerTimeout: .seconds(600))
        try await Self.withServer(limits: limits) { server, port in
            let client = try await RawClient.Group()
            defer { client.shutdown() }
            var held: [RawClient] = []
            for _ in 0..<4 {
                let connection = try await client.connect(port: port)
                try await connection.send("GET /healthz HTTP/1.1\r\nHo")  // half-sent
                held.append(connection)
            }
            #expect(await eventually { server.openConnections == 4 })
            for _ in 0..<10 {
                let extra = try await client.connect(port: port)
                #expect(await extra.closed())
            }
            #expect(server.metrics.rejectedConnectionCount == 10)
            for connection in held { await connection.close() }
            #expect(await eventually { server.openConnections == 0 })

            let bystander = try await client.connect(port: port)
            try await bystander.send("GET /healthz?= HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = try #require(await bystander.answer())
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(answer.hasSuffix("ok\n"))
            await bystander.close()
        }
    }
}

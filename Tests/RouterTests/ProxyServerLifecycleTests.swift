import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TestSupport
import Testing

@testable import Router

@Suite("ProxyServer lifecycle: bind first, stop on cancellation", .serialized, .timeLimit(.minutes(1)))
struct ProxyServerLifecycleTests {
    static let quiet = TestLogging.quiet

    static func server(port: Int, group: any EventLoopGroup) -> (ProxyServer, UpstreamPool) {
        let metrics = ProxyMetrics()
        let upstreams = UpstreamPool(group: group, settings: UpstreamSettings(), observer: metrics, logger: quiet)
        let dependencies = ProxyDependencies(
            routes: FixedRouteStore([]), upstreams: upstreams, metrics: metrics, settings: ProxySettings(), logger: quiet)
        return (ProxyServer(host: "127.0.0.1", port: port, group: group, dependencies: dependencies), upstreams)
    }

    @Test func bindFailsBeforeRunWithTheOSError() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let (first, firstUpstreams) = Self.server(port: 0, group: group)
        let port = try #require(try await first.bind().port)
        #expect(try await first.localAddress().port == port)
        let (second, secondUpstreams) = Self.server(port: port, group: group)
        await #expect {
            try await second.bind()
        } throws: { error in
            (error as? IOError)?.errnoCode == 98
        }
        await firstUpstreams.close()
        await secondUpstreams.close()
        try await group.shutdownGracefully()
    }

    /// A listener that ignored cancellation made the service group trap ("Cancellation took longer than
    /// allowed") when another service failed.
    @Test func runStopsWhenCancelled() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let (server, upstreams) = Self.server(port: 0, group: group)
        try await server.bind()
        let running = Task { try await server.run() }
        running.cancel()
        _ = await running.result
        #expect(server.openConnections == 0)
        await upstreams.close()
        try await group.shutdownGracefully()
    }
}

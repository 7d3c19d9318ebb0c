import AdminHTTP
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PegasusWire
import Router
import ServiceLifecycle
import TestSupport
import Testing

@testable import MetaProxyApp

/// The graceful shutdown as a load balancer sees it: `/readyz` goes 503 at its start while the proxy
/// keeps accepting for `server.drain_delay`, then the listeners close. Real sockets, in-process
/// ``ProxyApplication`` in a service group ordered as `meta-proxy serve` orders it.
@Suite("Drain", .serialized, .timeLimit(.minutes(1)))
struct DrainTests {
    @Test("draining answers 503 on /readyz and /readyz/strict whatever the route source says")
    func drainingResponse() {
        let drain = DrainState()
        let endpoint = ReadinessEndpoint(routes: FixedRouteStore([]), drain: drain)
        #expect(endpoint.respond(strict: false).status == .ok)
        drain.begin()
        #expect(drain.isDraining)
        for strict in [false, true] {
            let response = endpoint.respond(strict: strict)
            #expect(response.status == .serviceUnavailable)
            #expect(response.body == "draining: shutting down\n")
        }
    }

    @Test("with a drain delay: /readyz 503 while the proxy still accepts; both listeners close after it")
    func delayKeepsServingWhileUnready() async throws {
        try await Self.withInstance(delay: .seconds(300)) { app, proxyPort, adminPort, group, running in
            let before = try await Self.get("/readyz", port: adminPort)
            #expect(before.hasPrefix("HTTP/1.1 200"))
            await group.triggerGracefulShutdown()
            #expect(await eventually { (try? await Self.get("/readyz", port: adminPort))?.hasPrefix("HTTP/1.1 503") == true })
            let draining = try await Self.get("/readyz", port: adminPort)
            #expect(draining.hasSuffix("draining: shutting down\n"))
            let strict = try await Self.get("/readyz/strict", port: adminPort)
            #expect(strict.hasPrefix("HTTP/1.1 503"))
            let health = try await Self.get("/healthz", port: adminPort)
            #expect(health.hasPrefix("HTTP/1.1 200"))
            // Still accepting clients during the delay.
            #expect(await TestNetwork.accepts(port: proxyPort))
            running.cancel()
            _ = await running.result
            #expect(!(await TestNetwork.accepts(port: proxyPort)))
            #expect(!(await TestNetwork.accepts(port: adminPort)))
        }
    }

    @Test("without a drain delay the shutdown goes on at once and ends")
    func noDelayEnds() async throws {
        try await Self.withInstance(delay: .zero) { app, proxyPort, adminPort, group, running in
            await group.triggerGracefulShutdown()
            try await running.value
            #expect(app.drain.isDraining)
            #expect(!(await TestNetwork.accepts(port: proxyPort)))
            #expect(!(await TestNetwork.accepts(port: adminPort)))
        }
    }

    /// Runs an instance over an empty route store in a service group (proxy, admin, drain delay) during `body`.
    static func withInstance(
        delay: Duration,
        _ body: (ProxyApplication, Int, Int, ServiceGroup, Task<Void, any Error>) async throws -> Void
    ) async throws {
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var configuration = ProxyConfiguration()
        configuration.server.listen = Endpoint(literalHost: "127.0.0.1", port: 0)
        configuration.server.adminListen = Endpoint(literalHost: "127.0.0.1", port: 0)
        let app = ProxyApplication(
            configuration: configuration, group: loops, routes: FixedRouteStore([]), routeSourceName: "fixed",
            metricsText: { "" }, logger: TestLogging.quiet)
        do {
            let proxyPort = try #require(try await app.proxy.bind().port)
            let adminPort = try #require(try await app.admin.bind()?.port)
            var groupConfiguration = ServiceGroupConfiguration(
                services: [
                    .init(service: app.proxy), .init(service: app.admin),
                    .init(service: DrainDelayService(state: app.drain, delay: delay, logger: TestLogging.quiet)),
                ],
                logger: TestLogging.quiet)
            groupConfiguration.maximumCancellationDuration = .seconds(30)
            let group = ServiceGroup(configuration: groupConfiguration)
            let running = Task { try await group.run() }
            try await body(app, proxyPort, adminPort, group, running)
            running.cancel()
            _ = await running.result
        } catch {
            await app.upstreams.close()
            try? await loops.shutdownGracefully()
            throw error
        }
        await app.upstreams.close()
        try await loops.shutdownGracefully()
    }

    /// `GET path` on loopback `port` (`Connection: close`): the whole answer as text.
    static func get(_ path: String, port: Int) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port)
            .flatMapThrowing { channel in
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
            .get()
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
            var text = ""
            for try await chunk in inbound { text += String(buffer: chunk) }
            return text
        }
    }
}

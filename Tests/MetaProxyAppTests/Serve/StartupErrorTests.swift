import AdminHTTP
import Foundation
import Logging
import NIOCore
import NIOPosix
import Router
import RouteModel
import ServiceLifecycle
import TestSupport
import Testing

@testable import MetaProxyApp

@Suite("Startup errors and listeners", .serialized, .timeLimit(.minutes(1)))
struct StartupErrorTests {
    static let quiet = TestLogging.quiet

    @Test func aPortInUseIsOneLineNamingTheAddressKeyAndErrno() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let holder = AdminServer(host: "127.0.0.1", port: 0, group: group, handlers: [:], logger: Self.quiet)
        let port = try #require(try await holder.bind()?.port)
        let second = AdminServer(host: "127.0.0.1", port: port, group: group, handlers: [:], logger: Self.quiet)
        let error = await #expect(throws: (any Error).self) { try await second.bind() }
        let startup = StartupError.cannotListen("127.0.0.1:\(port)", key: "server.admin_listen", error: try #require(error))
        #expect(startup.description == "cannot listen on 127.0.0.1:\(port) (server.admin_listen): Address already in use (errno 98)")
        #expect(!startup.description.contains("\n"))
        try await group.shutdownGracefully()
    }

    @Test func anAddressNotOnThisHostNamesItsErrno() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // TEST-NET-1 (RFC 5737): never a local address.
        let server = AdminServer(host: "192.0.2.1", port: 0, group: group, handlers: [:], logger: Self.quiet)
        let error = await #expect(throws: (any Error).self) { try await server.bind() }
        let startup = StartupError.cannotListen("192.0.2.1:0", key: "server.admin_listen", error: try #require(error))
        #expect(startup.description.hasSuffix("Cannot assign requested address (errno 99)"))
        try await group.shutdownGracefully()
    }

    @Test func aMissingRoutesFileIsOneLineWithTheOSError() throws {
        let path = NSTemporaryDirectory() + "meta-proxy-missing-\(UInt64.random(in: 0...UInt64.max)).yaml"
        let error = #expect(throws: RouteError.self) { try FileRouteStore(file: path, logger: Self.quiet) }
        let startup = StartupError.routeSource(try #require(error))
        #expect(startup.description == "\(path): cannot read the routes file: No such file or directory (errno 2)")
    }

    /// A listener that ignored cancellation made the service group trap ("Cancellation took longer than
    /// allowed") when another service failed.
    @Test func theAdminListenerStopsWhenCancelled() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = AdminServer(host: "127.0.0.1", port: 0, group: group, handlers: [:], logger: Self.quiet)
        try await server.bind()
        let running = Task { try await server.run() }
        running.cancel()
        _ = await running.result
        try await group.shutdownGracefully()
    }

    /// The service group's view: a failing service ends the group with its error, the listeners stop.
    @Test func aFailingServiceStopsTheGroupWithoutTrapping() async throws {
        struct Failing: Service {
            struct Failure: Error {}
            func run() async throws { throw Failure() }
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = AdminServer(host: "127.0.0.1", port: 0, group: group, handlers: [:], logger: Self.quiet)
        try await server.bind()
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: server), .init(service: Failing())], logger: Self.quiet)
        configuration.maximumCancellationDuration = .seconds(30)
        await #expect(throws: Failing.Failure.self) { try await ServiceGroup(configuration: configuration).run() }
        try await group.shutdownGracefully()
    }
}

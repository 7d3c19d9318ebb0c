import AdminHTTP
import NIOHTTP1
import Router
import TestSupport
import Testing
import ZooKeeper

@testable import MetaProxyApp

/// `/readyz` and `/readyz/strict` over a ZooKeeper route store whose ZooKeeper is killed and restarted.
@Suite("Readiness")
struct ReadinessTests {
    @Test(
        "answers per readiness, plain and strict",
        arguments: [
            (RouteSourceReadiness.current, false, 200, "ready\n"),
            (.current, true, 200, "ready\n"),
            (.degraded(reason: "zookeeper unreachable (x)"), false, 200, "degraded: zookeeper unreachable (x)\n"),
            (.degraded(reason: "zookeeper unreachable (x)"), true, 503, "degraded: zookeeper unreachable (x)\n"),
            (.notLoaded(reason: "never connected"), false, 503, "not ready: never connected\n"),
            (.notLoaded(reason: "never connected"), true, 503, "not ready: never connected\n"),
        ] as [(RouteSourceReadiness, Bool, Int, String)]
    )
    func responses(readiness: RouteSourceReadiness, strict: Bool, status: Int, body: String) {
        let response = ReadinessEndpoint.response(readiness, strict: strict)
        #expect(Int(response.status.code) == status)
        #expect(response.body == body)
    }

    @Test("strict is asked for with strict=1, true or yes")
    func strictQuery() {
        #expect(ReadinessEndpoint.isStrict(["strict": "1"]))
        #expect(ReadinessEndpoint.isStrict(["strict": "TRUE"]))
        #expect(ReadinessEndpoint.isStrict(["strict": "yes"]))
        #expect(!ReadinessEndpoint.isStrict(["strict": "0"]))
        #expect(!ReadinessEndpoint.isStrict([:]))
    }

    @Test("before the first session 503; ZooKeeper down after it: 200 degraded, strict 503; back: 200")
    func zooKeeperDownAfterLoad() async throws {
        try await ThrowawayZooKeeper.withClient { server, client in
            let store = ZooKeeperRouteStore(client: client, root: "/routes", logger: TestLogging.quiet)
            let endpoint = ReadinessEndpoint(routes: store)
            #expect(endpoint.respond(strict: false).status == .serviceUnavailable)
            #expect(endpoint.respond(strict: true).status == .serviceUnavailable)

            try await client.connect()
            #expect(endpoint.respond(strict: false).status == .ok)
            #expect(endpoint.respond(strict: true).status == .ok)
            #expect(endpoint.respond(strict: false).body == "ready\n")

            try await server.kill()
            #expect(await eventually { store.readiness != .current })
            let degraded = endpoint.respond(strict: false)
            #expect(degraded.status == .ok)
            #expect(degraded.body.hasPrefix("degraded: zookeeper unreachable"))
            #expect(endpoint.respond(strict: true).status == .serviceUnavailable)

            try await server.restart()
            #expect(await eventually(within: .seconds(60)) { store.readiness == .current })
            #expect(endpoint.respond(strict: true).status == .ok)
        }
    }
}

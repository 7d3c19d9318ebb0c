import HealthProbe
import TestSupport
import Testing

@Suite("CurlHTTPClient over loopback", .serialized, .timeLimit(.minutes(2)))
struct CurlHTTPClientTests {
    /// `/ok` 200, `/redirect` 307, `/big` 4096 bytes, `/exact` 1024 bytes, `/hang` never answers, else 404.
    private static let route: TestHTTPServer.Route = { path, _ in
        switch path {
        case "/ok":
            return .text(200, "hello")
        case "/redirect":
            return .text(307, "", headers: [("Location", "http://127.0.0.1:1/elsewhere?x=1")])
        case "/big":
            return .respond(status: 200, body: Array(repeating: UInt8(ascii: "x"), count: 4096))
        case "/exact":
            return .respond(status: 200, body: Array(repeating: UInt8(ascii: "y"), count: 1024))
        case "/hang":
            return .hang
        default:
            return .text(404, "service not found for \"\(path)\"")
        }
    }

    @Test("200 returns status and body; the thread's handle is reused for the next requests")
    func ok() async throws {
        try await withServer(Self.route) { server in
            try await withHTTPClient { client in
                for _ in 0..<3 {
                    let response = try await client.get("http://\(server.address)/ok", timeout: .seconds(5))
                    #expect(response.status == 200)
                    #expect(response.body == Array("hello".utf8))
                    #expect(response.location == nil)
                }
            }
            #expect(server.receivedRequests == ["/ok", "/ok", "/ok"])
        }
    }

    @Test("307 is returned with its Location and not followed")
    func redirectNotFollowed() async throws {
        let response = try await withServer(Self.route) { server in
            try await withHTTPClient { client in
                try await client.get("http://\(server.address)/redirect", timeout: .seconds(5))
            }
        }
        #expect(response.status == 307)
        #expect(response.location == "http://127.0.0.1:1/elsewhere?x=1")
        #expect(response.body.isEmpty)
    }

    @Test("404 is a response, not an error")
    func notFound() async throws {
        let response = try await withServer(Self.route) { server in
            try await withHTTPClient { client in
                try await client.get("http://\(server.address)/nope", timeout: .seconds(5))
            }
        }
        #expect(response.status == 404)
        #expect(String(decoding: response.body, as: UTF8.self) == "service not found for \"/nope\"")
    }

    @Test("connection refused is connectFailed, with the URL as context")
    func connectionRefused() async throws {
        let server = try await TestHTTPServer.start(route: Self.route)
        let url = "http://\(server.address)/ok"
        await server.stop()
        let error = try await withHTTPClient { client in
            await probeError { () async throws(ProbeError) in try await client.get(url, timeout: .seconds(5)) }
        }
        let failure = try #require(error)
        #expect(failure.code == .connectFailed)
        #expect(failure.url == url)
        #expect(failure.description.contains(url))
    }

    @Test("a server that accepts and never answers fails with timeout")
    func hangingServerTimesOut() async throws {
        try await withServer(Self.route) { server in
            let error = try await withHTTPClient { client in
                await probeError { () async throws(ProbeError) in
                    try await client.get("http://\(server.address)/hang", timeout: .milliseconds(300))
                }
            }
            #expect(error?.code == .timeout)
            #expect(server.receivedRequests == ["/hang"])
        }
    }

    @Test("bodies over the cap fail with bodyTooLarge; a body at the cap passes")
    func bodyCap() async throws {
        try await withServer(Self.route) { server in
            try await withHTTPClient(maximumBodyBytes: 1024) { client in
                let error = await probeError { () async throws(ProbeError) in
                    try await client.get("http://\(server.address)/big", timeout: .seconds(5))
                }
                #expect(error?.code == .bodyTooLarge)
                let exact = try await client.get("http://\(server.address)/exact", timeout: .seconds(5))
                #expect(exact.body.count == 1024)
            }
        }
    }

    @Test("cancelling the caller aborts a hanging transfer with cancelled")
    func cancellation() async throws {
        try await withServer(Self.route) { server in
            try await withHTTPClient { client in
                let task = Task {
                    await probeError { () async throws(ProbeError) in
                        try await client.get("http://\(server.address)/hang", timeout: .seconds(60))
                    }
                }
                let started = await eventually { server.receivedRequests.contains("/hang") }
                #expect(started)
                task.cancel()
                #expect(await task.value?.code == .cancelled)
            }
        }
    }

    @Test("only http URLs are accepted")
    func otherSchemesRejected() async throws {
        let error = try await withHTTPClient { client in
            await probeError { () async throws(ProbeError) in
                try await client.get("file:///etc/hostname", timeout: .seconds(5))
            }
        }
        #expect(error?.code == .invalidURL)
    }
}

import HealthProbe
import NIOPosix
import Testing

/// Runs `body` with a client on a fresh 4-thread pool, shut down afterwards.
func withHTTPClient<T>(
    maximumBodyBytes: Int = CurlHTTPClient.defaultMaximumBodyBytes,
    _ body: (CurlHTTPClient) async throws -> T
) async throws -> T {
    let pool = NIOThreadPool(numberOfThreads: 4)
    pool.start()
    return try await using(pool, stop: { try? await $0.shutdownGracefully() }) { pool in
        try await body(CurlHTTPClient(threadPool: pool, maximumBodyBytes: maximumBodyBytes))
    }
}

/// The error an operation throws, or `nil` when it succeeds.
func probeError<T>(_ operation: () async throws(ProbeError) -> T) async -> ProbeError? {
    do {
        _ = try await operation()
        return nil
    } catch {
        return error
    }
}

/// Runs `body` with `resource`, then `stop`s it whether `body` succeeded or threw.
private func using<Resource, T>(
    _ resource: Resource,
    stop: (Resource) async -> Void,
    _ body: (Resource) async throws -> T
) async throws -> T {
    do {
        let result = try await body(resource)
        await stop(resource)
        return result
    } catch {
        await stop(resource)
        throw error
    }
}

/// Runs `body` with a started ``TestHTTPServer``, stopped afterwards.
func withServer<T>(
    _ route: @escaping TestHTTPServer.Route,
    _ body: (TestHTTPServer) async throws -> T
) async throws -> T {
    try await using(try await TestHTTPServer.start(route: route), stop: { await $0.stop() }, body)
}

/// Runs `body` with a started ``FakeMetaCluster``, stopped afterwards.
func withFakeCluster<T>(count: Int, _ body: (FakeMetaCluster) async throws -> T) async throws -> T {
    try await using(try await FakeMetaCluster.start(count: count), stop: { await $0.stop() }, body)
}

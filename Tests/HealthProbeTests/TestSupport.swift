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
    let client = CurlHTTPClient(threadPool: pool, maximumBodyBytes: maximumBodyBytes)
    do {
        let result = try await body(client)
        try await pool.shutdownGracefully()
        return result
    } catch {
        try? await pool.shutdownGracefully()
        throw error
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

/// Polls `condition` every 50 ms until it holds or `timeout` passes (generous: the machine is shared).
/// - Returns: Whether the condition held in time.
func eventually(timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if condition() {
            return true
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}

/// Runs `body` with a started ``TestHTTPServer``, stopped afterwards.
func withServer<T>(
    _ route: @escaping TestHTTPServer.Route,
    _ body: (TestHTTPServer) async throws -> T
) async throws -> T {
    let server = try await TestHTTPServer.start(route: route)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Runs `body` with a started ``FakeMetaCluster``, stopped afterwards.
func withFakeCluster<T>(count: Int, _ body: (FakeMetaCluster) async throws -> T) async throws -> T {
    let cluster = try await FakeMetaCluster.start(count: count)
    do {
        let result = try await body(cluster)
        await cluster.stop()
        return result
    } catch {
        await cluster.stop()
        throw error
    }
}

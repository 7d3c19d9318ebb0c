/// Polls `condition` until it holds or `timeout` passes (generous by default: the machine is shared and slow).
///
/// For a test that waits for a state it can observe; the timeout only bounds a failing test.
/// - Parameters:
///   - timeout: How long to keep polling.
///   - interval: The pause between two polls.
///   - condition: What must become true.
/// - Returns: Whether it held.
public func eventually(
    within timeout: Duration = .seconds(30),
    every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    try await poll(within: timeout, every: interval) { try await condition() ? true : nil } ?? false
}

/// Calls `check` until it returns a value or `timeout` passes.
///
/// For a test that waits for something it can observe (bytes received, a record logged); the timeout
/// only bounds a failing test.
/// - Parameters:
///   - timeout: How long to keep polling.
///   - interval: The pause between two calls.
///   - check: Returns the awaited value, or `nil` while there is none.
/// - Returns: The first value `check` returned, or `nil` if it returned none in time.
public func poll<T>(
    within timeout: Duration = .seconds(30),
    every interval: Duration = .milliseconds(20),
    _ check: () async throws -> T?
) async rethrows -> T? {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if let value = try await check() { return value }
        try? await Task.sleep(for: interval)
    }
    return try await check()
}

/// Polls `condition` until it holds or `timeout` passes (generous by default: the machine is shared and slow).
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
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}

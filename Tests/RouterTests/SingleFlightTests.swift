import PegasusWire
import RouteModel
import Synchronization
import TestSupport
import Testing

@testable import Router

@Suite("SingleFlight", .timeLimit(.minutes(1)))
struct SingleFlightTests {
    struct LoadError: Error, Equatable {
        var attempt: Int
    }

    /// Counts the calls of a load.
    final class CallCounter: Sendable {
        private let count = Atomic<Int>(0)

        /// Counts one call and returns how many there were, this one included.
        func next() -> Int { count.add(1, ordering: .relaxed).newValue }

        var value: Int { count.load(ordering: .relaxed) }
    }

    @Test func concurrentCallersShareOneCall() async throws {
        let flight = SingleFlight<String, Int, LoadError>()
        let calls = CallCounter()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await flight.run(key: "t1") { () async throws(LoadError) -> Int in
                        let call = calls.next()
                        // Hold the load until the 99 other callers wait for it.
                        _ = await eventually { flight.waiterCount(for: "t1") == 99 }
                        return 40 + call + 1
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(calls.value == 1)
        #expect(results == Array(repeating: 42, count: 100))
        #expect(flight.waiterCount(for: "t1") == 0)
    }

    @Test func everyWaiterGetsTheTypedError() async throws {
        let flight = SingleFlight<String, Int, LoadError>()
        let calls = CallCounter()
        let outcomes = await withTaskGroup(of: Result<Int, LoadError>.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    do throws(LoadError) {
                        return .success(
                            try await flight.run(key: "t1") { () async throws(LoadError) -> Int in
                                let call = calls.next()
                                _ = await eventually { flight.waiterCount(for: "t1") == 19 }
                                throw LoadError(attempt: call)
                            }
                        )
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(calls.value == 1)
        #expect(outcomes.count == 20)
        for outcome in outcomes {
            #expect(outcome == .failure(LoadError(attempt: 1)))
        }
    }

    @Test func differentKeysLoadIndependentlyAndLaterCallsLoadAgain() async throws {
        let flight = SingleFlight<String, String, Never>()
        let calls = CallCounter()
        let a = await flight.run(key: "a") { () async -> String in
            _ = calls.next()
            return "A"
        }
        let b = await flight.run(key: "b") { () async -> String in
            _ = calls.next()
            return "B"
        }
        let again = await flight.run(key: "a") { () async -> String in
            _ = calls.next()
            return "A2"
        }
        #expect([a, b, again] == ["A", "B", "A2"])
        #expect(calls.value == 3)
    }
}

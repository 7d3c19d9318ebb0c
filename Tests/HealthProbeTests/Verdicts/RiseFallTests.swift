import Foundation
import HealthProbe
import Testing

@Suite("RiseFall as a value")
struct RiseFallTests {
    private static let start = ContinuousClock().now

    /// Feeds results one second apart; returns the status after each.
    private static func run(_ machine: inout RiseFall, _ results: [Bool]) -> [HealthStatus] {
        results.enumerated().map { offset, success in
            _ = machine.record(success: success, at: start + .seconds(offset))
            return machine.state.status
        }
    }

    @Test("starts unknown; rise successes take it up, with since = the deciding result's time")
    func risesFromUnknown() {
        var machine = RiseFall(rise: 2, fall: 3)
        #expect(machine.state == .unknown)
        #expect(machine.record(success: true, at: Self.start) == nil)
        #expect(machine.state == .unknown)
        let later = Self.start + .seconds(1)
        let transition = machine.record(success: true, at: later)
        #expect(transition == RiseFall.Transition(from: .unknown, to: .up(since: later)))
        #expect(machine.state.since == later)
    }

    @Test("from unknown, fall failures take it down")
    func fallsFromUnknown() {
        var machine = RiseFall(rise: 2, fall: 3)
        #expect(Self.run(&machine, [false, false, false]) == [.unknown, .unknown, .down])
    }

    @Test("a glitch of fall-1 failures does not flip an up state")
    func glitchDoesNotFlip() {
        var machine = RiseFall(rise: 2, fall: 3)
        let statuses = Self.run(&machine, [true, true, false, false, true, false, false, true])
        #expect(statuses == [.unknown, .up, .up, .up, .up, .up, .up, .up])
        #expect(machine.state == .up(since: Self.start + .seconds(1)))
        #expect(machine.consecutiveFailures == 0)
        #expect(machine.consecutiveSuccesses == 1)
    }

    @Test("flapping (alternating results) never settles from unknown and never flips a settled state")
    func flapping() {
        var fresh = RiseFall(rise: 2, fall: 2)
        #expect(Self.run(&fresh, [true, false, true, false, true, false]).allSatisfy { $0 == .unknown })

        var down = RiseFall(rise: 2, fall: 2)
        _ = Self.run(&down, [false, false])
        #expect(Self.run(&down, [true, false, true, false, true, false]).allSatisfy { $0 == .down })
    }

    @Test("down needs rise consecutive successes to come back; transitions are reported once")
    func recovers() {
        var machine = RiseFall(rise: 3, fall: 1)
        var transitions: [RiseFall.Transition] = []
        for (offset, success) in [true, true, true, false, true, true, true, true].enumerated() {
            if let transition = machine.record(success: success, at: Self.start + .seconds(offset)) {
                transitions.append(transition)
            }
        }
        #expect(transitions.map(\.to.status) == [.up, .down, .up])
        #expect(transitions[2].from == .down(since: Self.start + .seconds(3)))
        #expect(machine.state == .up(since: Self.start + .seconds(6)))
    }

    @Test("thresholds below 1 count as 1; updated thresholds apply to the next result")
    func thresholds() {
        var machine = RiseFall(rise: 0, fall: -3)
        #expect(machine.rise == 1)
        #expect(machine.fall == 1)
        #expect(Self.run(&machine, [true, false]) == [.up, .down])

        var slow = RiseFall(rise: 5, fall: 5)
        _ = Self.run(&slow, [true, true])
        slow.updateThresholds(rise: 3, fall: 5)
        #expect(slow.record(success: true, at: Self.start)?.to == .up(since: Self.start))
    }
}

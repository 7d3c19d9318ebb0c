import FailoverPolicy
import Foundation
import Testing

/// Runs a kind once per simulated second, applying its switches to the effective state.
private struct Simulation {
    var state = EffectiveState.initial
    var switches: [Date] = []

    /// - Parameter primaryDown: whether the primary's (rise/fall) state is down in second `s`.
    mutating func run(_ kind: any FailoverPolicyKind, seconds: Int, primaryDown: (Int) -> Bool) {
        var since = at(0)
        for second in 0...seconds {
            let now = at(Double(second))
            if second > 0, primaryDown(second) != primaryDown(second - 1) {
                since = now
            }
            let primary = ClusterHealth(state: primaryDown(second) ? .down : .up, since: since)
            let input = makeInput(
                now: Double(second),
                primary: primary,
                reverse: ["b1": duplication(observed: Double(second) - 1)],
                current: state
            )
            switch kind.decide(input) {
            case .switchTo(let cluster, let reason):
                state = EffectiveState(
                    placement: .onBackup(cluster: cluster, since: now, reason: reason, automatic: true),
                    lastSwitchAt: now
                )
                switches.append(now)
            case .switchBack:
                state = EffectiveState(placement: .onPrimary, lastSwitchAt: now)
                switches.append(now)
            case .keep, .refuse:
                break
            }
        }
    }

    /// The shortest time between two switches.
    var shortestGap: TimeInterval? {
        zip(switches, switches.dropFirst()).map { $1.timeIntervalSince($0) }.min()
    }
}

@Suite("Flapping primary")
struct FlappingTests {
    @Test("a primary flapping every second never reaches min_down: no switch in 5 minutes")
    func flappingFasterThanMinDown() {
        let kinds: [any FailoverPolicyKind] = [
            AutoFailoverKind(spec: testSpec(kind: "auto-failover")),
            AutoFailoverFailbackKind(spec: testSpec(kind: "auto-failover-failback")),
        ]
        for kind in kinds {
            var simulation = Simulation()
            simulation.run(kind, seconds: 300) { $0 % 2 == 1 }
            #expect(simulation.switches.isEmpty, "\(type(of: kind))")
        }
    }

    @Test("with min_down 0 and after_healthy 0, switches stay one cooldown apart")
    func cooldownBoundsSwitches() {
        let kind = AutoFailoverFailbackKind(
            spec: testSpec(kind: "auto-failover-failback", minDown: .zero, cooldown: .seconds(30), afterHealthy: .zero)
        )
        var simulation = Simulation()
        simulation.run(kind, seconds: 300) { $0 % 2 == 1 }
        #expect(simulation.switches.count >= 2)
        #expect(simulation.switches.count <= 300 / 30 + 1)
        #expect((simulation.shortestGap ?? 30) >= 30)
    }

    @Test("a primary down 10 s / up 10 s switches at most once per cooldown")
    func slowFlapping() {
        let kind = AutoFailoverFailbackKind(
            spec: testSpec(kind: "auto-failover-failback", cooldown: .seconds(30), afterHealthy: .seconds(5))
        )
        var simulation = Simulation()
        simulation.run(kind, seconds: 300) { ($0 / 10) % 2 == 1 }
        #expect(simulation.switches.count >= 2)
        #expect((simulation.shortestGap ?? 30) >= 30)
    }
}

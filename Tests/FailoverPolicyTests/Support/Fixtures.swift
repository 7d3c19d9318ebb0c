import FailoverPolicy
import Foundation
import PegasusWire

/// Test time origin: 2023-11-14T22:13:20Z.
let t0 = Date(timeIntervalSince1970: 1_700_000_000)

/// `t0 + seconds`.
func at(_ seconds: Double) -> Date {
    t0.addingTimeInterval(seconds)
}

func up(since seconds: Double) -> ClusterHealth {
    ClusterHealth(state: .up, since: at(seconds))
}

func down(since seconds: Double) -> ClusterHealth {
    ClusterHealth(state: .down, since: at(seconds))
}

/// A DS_LOG, FAIL_SLOW duplication with a known lag observed at `observed` seconds.
func duplication(lag: Int? = 10, observed: Double?) -> DuplicationView {
    DuplicationView(status: .log, maxLagDecrees: lag, observedAt: observed.map(at))
}

/// The standard test spec: min_down 2s, cooldown 30s, after_healthy 60s, guard 1000 decrees / 30s,
/// quorum majority, and replica_lease 0 (so min_down alone times a switch; the lease tests set it).
func testSpec(
    kind: String,
    minDown: Duration = .seconds(2),
    cooldown: Duration = .seconds(30),
    afterHealthy: Duration = .seconds(60),
    requireReverse: Bool = true,
    quorum: SwitchSettings.Quorum = .majority,
    replicaLease: Duration = .zero
) -> PolicySpec {
    PolicySpec(
        name: "test",
        tables: ["orders"],
        kind: kind,
        switching: SwitchSettings(minDown: minDown, cooldown: cooldown, quorum: quorum, replicaLease: replicaLease),
        failback: FailbackSettings(afterHealthy: afterHealthy, requireReverseDuplication: requireReverse),
        lagGuard: GuardSettings(maxLagDecrees: 1000, maxLagAge: .seconds(30))
    )
}

/// On backup `cluster` since `seconds`, put there automatically (or not), last switch then.
func onBackup(_ cluster: String, since seconds: Double, automatic: Bool = true) -> EffectiveState {
    let reason = DecisionReason(.effectiveDown, "test")
    return EffectiveState(
        placement: .onBackup(cluster: cluster, since: at(seconds), reason: reason, automatic: automatic),
        lastSwitchAt: at(seconds)
    )
}

/// Table `orders`: primary `pa`, backups `b1`, `b2`. By default both backups are up since long ago
/// with a fresh, small-lag duplication, and nothing else is known.
func makeInput(
    now seconds: Double,
    primary: ClusterHealth,
    b1: ClusterHealth? = nil,
    b1Duplication: DuplicationView?? = nil,
    b2: ClusterHealth? = nil,
    b2Duplication: DuplicationView?? = nil,
    reverse: [String: DuplicationView] = [:],
    current: EffectiveState = .initial,
    tablePaused: Bool = false,
    globallyPaused: Bool = false,
    observers: [String: ObserverView] = [:],
    probedClusters: Int = 0,
    downClusters: Int = 0
) -> DecisionInput {
    var duplications: [String: DuplicationView] = [:]
    duplications["b1"] = b1Duplication ?? duplication(observed: seconds - 1)
    duplications["b2"] = b2Duplication ?? duplication(observed: seconds - 1)
    return DecisionInput(
        table: "orders",
        primary: "pa",
        backups: ["b1", "b2"],
        health: ["pa": primary, "b1": b1 ?? up(since: -10_000), "b2": b2 ?? up(since: -10_000)],
        duplications: duplications,
        reverseDuplications: reverse,
        current: current,
        tablePaused: tablePaused,
        globallyPaused: globallyPaused,
        now: at(seconds),
        observers: observers,
        probedClusters: probedClusters,
        downClusters: downClusters
    )
}

/// A temporary directory removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("failover-policy-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ contents: String) throws {
        try contents.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
    }

    func makeSubdirectory(_ name: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/" + name, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The repository's `policies/` directory.
let shippedPoliciesDirectory = URL(fileURLWithPath: #filePath)  // Tests/FailoverPolicyTests/Support/Fixtures.swift
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("policies").path

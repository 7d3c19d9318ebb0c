import FailoverPolicy
import Foundation
import Testing

@Suite("Effective route documents")
struct EffectiveRouteDocumentTests {
    private func record(at seconds: Double, to: String = "b1", trigger: DecisionRecord.Trigger = .automatic)
        -> DecisionRecord
    {
        DecisionRecord(
            table: "orders",
            from: to == "pa" ? "b1" : "pa",
            to: to,
            reason: DecisionReason(.effectiveDown, "primary pa down"),
            at: at(seconds),
            decidedBy: "proxy-1",
            lagDecrees: 12,
            trigger: trigger
        )
    }

    private func route() -> EffectiveRoute {
        var route = EffectiveRoute(
            table: "orders",
            activeCluster: "pa",
            reason: DecisionReason(.effectiveUp, "initial"),
            since: at(0),
            decidedBy: "proxy-1",
            mode: .primary
        )
        route.apply(record(at: 100), mode: .failover)
        return route
    }

    @Test("encodes with sorted snake_case keys and ISO 8601 dates, and round-trips")
    func roundTrip() throws {
        let route = route()
        let data = try route.jsonData()
        let json = try #require(String(data: data, encoding: .utf8))
        #expect(
            json.hasPrefix(#"{"active_cluster":"b1","decided_by":"proxy-1","history":[{"at":"2023-11-14T22:15:00Z""#)
        )
        #expect(json.contains(#""lag_decrees":12,"mode":"failover","paused":false,"reason":{"code":"effective_down""#))
        #expect(json.contains(#""since":"2023-11-14T22:15:00Z","table":"orders"}"#))
        #expect(try EffectiveRoute.decode(data, path: "/proxy/.meta-proxy/failover/orders") == route)
    }

    @Test("unknown lag is left out")
    func lagOmitted() throws {
        var route = route()
        route.lagDecrees = nil
        let json = try #require(String(data: try route.jsonData(), encoding: .utf8))
        #expect(json.components(separatedBy: "lag_decrees").count == 2)  // only the history record's
    }

    @Test("decoding tolerates unknown keys, absent history and paused, and fractional seconds")
    func tolerantDecoding() throws {
        let json = """
            {"table":"orders","active_cluster":"b1","since":"2023-11-14T22:15:00.250Z","decided_by":"op:alice",
             "mode":"drill","reason":{"code":"some_future_code","text":"t","extra":1},"written_by":"v2"}
            """
        let route = try EffectiveRoute.decode(Data(json.utf8), path: "/p/orders")
        #expect(route.mode == .drill)
        #expect(!route.paused)
        #expect(route.history.isEmpty)
        #expect(route.lagDecrees == nil)
        #expect(route.reason.code == DecisionReason.Code(rawValue: "some_future_code"))
        #expect(abs(route.since.timeIntervalSince(at(100.25))) < 0.001)
    }

    @Test("a broken document is a typed error naming the path")
    func brokenDocument() {
        let error = #expect(throws: FailoverDocumentError.self) {
            try EffectiveRoute.decode(Data(#"{"table":"orders"}"#.utf8), path: "/p/orders")
        }
        #expect(error?.code == .decoding)
        #expect(error?.description.hasPrefix("/p/orders: decoding: ") == true)
    }

    @Test("history keeps the newest entries only")
    func historyBound() {
        var route = route()
        for second in 1...30 {
            route.apply(record(at: 100 + Double(second)), mode: .failover)
        }
        #expect(route.history.count == EffectiveRoute.defaultHistoryLimit)
        #expect(route.history.last?.at == at(130))
        #expect(route.history.first?.at == at(111))
        route.apply(record(at: 200), mode: .failover, historyLimit: 3)
        #expect(route.history.map(\.at) == [at(129), at(130), at(200)])
    }

    @Test("effective state for the decider")
    func effectiveState() {
        var route = route()
        guard case .onBackup(let cluster, let since, _, let automatic) = route.effectiveState(primary: "pa").placement
        else {
            Issue.record("expected on backup")
            return
        }
        #expect(cluster == "b1")
        #expect(since == at(100))
        #expect(automatic)
        #expect(route.effectiveState(primary: "pa").lastSwitchAt == at(100))

        route.apply(record(at: 200, to: "b2", trigger: .manual), mode: .failover)
        guard case .onBackup(_, _, _, let manualAutomatic) = route.effectiveState(primary: "pa").placement else {
            Issue.record("expected on backup")
            return
        }
        #expect(!manualAutomatic)

        route.apply(record(at: 300, to: "pa"), mode: .primary)
        #expect(route.effectiveState(primary: "pa") == EffectiveState(placement: .onPrimary, lastSwitchAt: at(300)))
    }

    @Test("records from decisions carry the lag toward the target")
    func recordsFromDecisions() throws {
        let input = makeInput(
            now: 100,
            primary: up(since: 0),
            b2Duplication: duplication(lag: 77, observed: 99),
            reverse: ["b1": duplication(lag: 5, observed: 99)],
            current: onBackup("b1", since: 50)
        )
        let reason = DecisionReason(.operatorRequest, "test")
        let toB2 = try #require(
            DecisionRecord(
                decision: .switchTo(cluster: "b2", reason: reason),
                input: input,
                decidedBy: "op",
                trigger: .forced
            )
        )
        #expect(toB2.from == "b1")
        #expect(toB2.to == "b2")
        #expect(toB2.lagDecrees == 77)
        #expect(toB2.at == at(100))
        #expect(toB2.trigger == .forced)
        let back = try #require(
            DecisionRecord(decision: .switchBack(reason), input: input, decidedBy: "op", trigger: .manual)
        )
        #expect(back.to == "pa")
        #expect(back.lagDecrees == 5)
        #expect(DecisionRecord(decision: .keep(reason), input: input, decidedBy: "op", trigger: .manual) == nil)
        #expect(DecisionRecord(decision: .refuse(reason), input: input, decidedBy: "op", trigger: .manual) == nil)
    }
}

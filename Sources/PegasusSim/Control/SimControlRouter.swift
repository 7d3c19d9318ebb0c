import NIOCore
import PegasusWire

/// Maps control-port HTTP requests to `SimCluster` control calls. Each answers `ok` (200) or JSON,
/// 400 with the error for bad parameters, 404 for an unknown path.
///
/// | path | parameters |
/// |---|---|
/// | `/leader` | `index` (-1 = no leader) |
/// | `/kill`, `/revive`, `/hang`, `/unhang` | `meta` |
/// | `/kill-all`, `/revive-all` | – |
/// | `/latency` | `ms`, optional `meta` (all when omitted) |
/// | `/advertise` | `meta`, `address` (`host:port` the cluster names it by; empty = where it listens) |
/// | `/no-primary`, `/restore-primary` | `table`, `pidx` |
/// | `/duplication` | `table`, `remote`, `status` (`DS_LOG`…, `none` removes); optional `fail_mode`, |
/// |  | `lag` (-1 = unknown), `confirmed` (comma list), `remote_app_name`, `remote_replica_count` |
/// | `/advance-duplication` | `table`, optional `remote`, `n` (omitted = catch up) |
/// | `/write` | `table`, `n` |
/// | `/drop-table` | `table` |
/// | `/app-env` | `table`, `key`, `value` (empty = delete) |
/// | `/stats` | – (JSON) |
/// | `/reset-stats` | – |
struct SimControlRouter: Sendable {
    /// The cluster under control.
    let cluster: SimCluster

    /// Routes one request target.
    func respond(to target: String) -> SimOutcome<SimHTTPResponse> {
        let request: SimHTTPRequest
        do {
            request = try SimHTTPRequest(target: target)
        } catch {
            return .reply(.error(.badRequest, error.detail), delay: .zero)
        }
        do {
            return try route(request)
        } catch {
            let status: SimHTTPResponse.Status = error.code == .bindFailed ? .internalServerError : .badRequest
            return .reply(.error(status, error.description), delay: .zero)
        }
    }

    private func route(_ request: SimHTTPRequest) throws(SimError) -> SimOutcome<SimHTTPResponse> {
        let query = Parameters(values: request.query)
        switch request.path {
        case "leader":
            let index = try query.int("index")
            try cluster.setLeader(index < 0 ? nil : index)
        case "kill":
            return later(try cluster.killMetaFuture(try query.int("meta")))
        case "revive":
            return later(try cluster.reviveMetaFuture(try query.int("meta")))
        case "kill-all":
            return later(cluster.close(cluster.allNodes))
        case "revive-all":
            return later(cluster.open(cluster.allNodes))
        case "latency":
            try cluster.setLatency(.milliseconds(try query.int64("ms")), meta: try query.optionalInt("meta"))
        case "hang":
            try cluster.hangMeta(try query.int("meta"))
        case "unhang":
            try cluster.unhangMeta(try query.int("meta"))
        case "advertise":
            try cluster.advertiseMeta(try query.int("meta"), as: query.values["address"])
        case "no-primary":
            try cluster.removePrimary(table: try query.string("table"), partition: try query.int("pidx"))
        case "restore-primary":
            try cluster.restorePrimary(table: try query.string("table"), partition: try query.int("pidx"))
        case "duplication":
            try setDuplication(query)
        case "advance-duplication":
            try cluster.advanceDuplication(
                table: try query.string("table"), remote: query.values["remote"], by: try query.optionalInt64("n"))
        case "app-env":
            try cluster.setAppEnv(
                table: try query.string("table"), key: try query.string("key"), value: query.values["value"] ?? "")
        case "drop-table":
            try cluster.dropTable(try query.string("table"))
        case "write":
            try cluster.write(table: try query.string("table"), count: try query.int64("n"))
        case "stats":
            return .reply(
                SimHTTPResponse(status: .ok, body: cluster.stats().json.render(), contentType: "application/json"),
                delay: .zero)
        case "reset-stats":
            cluster.resetStats()
        default:
            return .reply(.error(.notFound, "unknown control path \"/\(request.path)\""), delay: .zero)
        }
        return .reply(.ok("ok"), delay: .zero)
    }

    private func setDuplication(_ query: Parameters) throws(SimError) {
        let table = try query.string("table")
        let remote = try query.string("remote")
        let statusName = try query.string("status")
        if statusName == "none" || statusName == DuplicationStatus.removed.description {
            try cluster.removeDuplication(table: table, remote: remote)
            return
        }
        guard let status = (0...5).map(DuplicationStatus.init(rawValue:)).first(where: { $0.description == statusName })
        else {
            throw SimError(.invalidArgument, subject: "status", detail: "unknown duplication status \"\(statusName)\"")
        }
        var spec = SimDuplicationSpec(remote: remote, status: status)
        if let failModeName = query.values["fail_mode"] {
            guard
                let failMode = (0...2).map(DuplicationFailMode.init(rawValue:)).first(where: {
                    $0.description == failModeName
                })
            else {
                throw SimError(.invalidArgument, subject: "fail_mode", detail: "unknown fail mode \"\(failModeName)\"")
            }
            spec.failMode = failMode
        }
        if let confirmed = query.values["confirmed"] {
            let decrees = confirmed.split(separator: ",").map { Int64($0) }
            guard decrees.allSatisfy({ $0 != nil }) else {
                throw SimError(
                    .invalidArgument, subject: "confirmed", detail: "\"\(confirmed)\" is not a list of decrees")
            }
            spec.progress = .confirmed(decrees.compactMap { $0 })
        } else if let lag = try query.optionalInt64("lag") {
            spec.progress = lag < 0 ? .unknown : .lag(lag)
        }
        spec.remoteAppName = query.values["remote_app_name"]
        if let count = try query.optionalInt64("remote_replica_count") {
            spec.remoteReplicaCount = Int32(clamping: count)
        }
        try cluster.setDuplication(table: table, spec)
    }

    private func later(_ future: EventLoopFuture<Void>) -> SimOutcome<SimHTTPResponse> {
        .later(future.map { SimHTTPResponse.ok("ok") })
    }

    /// Typed access to query parameters.
    private struct Parameters {
        let values: [String: String]

        func string(_ name: String) throws(SimError) -> String {
            guard let value = values[name], !value.isEmpty else {
                throw SimError(.invalidArgument, subject: name, detail: "missing parameter")
            }
            return value
        }

        func int64(_ name: String) throws(SimError) -> Int64 {
            let text = try string(name)
            guard let value = Int64(text) else {
                throw SimError(.invalidArgument, subject: name, detail: "\"\(text)\" is not an integer")
            }
            return value
        }

        func int(_ name: String) throws(SimError) -> Int {
            Int(try int64(name))
        }

        func optionalInt64(_ name: String) throws(SimError) -> Int64? {
            values[name] == nil ? nil : try int64(name)
        }

        func optionalInt(_ name: String) throws(SimError) -> Int? {
            try optionalInt64(name).map { Int($0) }
        }
    }
}

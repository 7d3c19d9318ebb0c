import ArgumentParser

/// Options every mode shares.
struct LoadOptions: ParsableArguments {
    @Option(help: "Target host:port (a MetaServer, HAProxy or meta-proxy).")
    var target: String

    @Option(help: "Tables to query as name:app_id, comma separated; replies must carry that app_id.")
    var tables: String

    @Option(
        name: .customLong("table-stride"),
        help: "Connection i starts at table i × stride (then takes the tables in order): with many tables, a stride of tables/connections gives each connection its own slice.")
    var tableStride: Int = 1

    @Option(help: "Event loop threads of the load generator.")
    var threads: Int = 1

    @Option(name: .customLong("timeout-ms"), help: "client_timeout sent in each request header (ms).")
    var timeoutMs: Int32 = 5000

    @Option(help: "Client frame format: thft-v1 (Java client), thft-v0 (Go, Python, Node.js) or rdsn (C++ client).")
    var frame: FrameFormat = .thftV1

    @Option(help: "Name of this setup in reports.")
    var label: String = "load"

    @Option(help: "Also write the report as JSON to this file.")
    var json: String?

    /// `target` split into host and port.
    func hostPort() throws -> (String, Int) {
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]) else {
            throw ValidationError("--target must be host:port")
        }
        return (String(target[..<colon]), port)
    }

    /// The request encoder for `tables`.
    func encoder() throws -> RequestEncoder {
        RequestEncoder(
            tables: try TableSpec.parseList(tables), clientTimeoutMs: timeoutMs, tableStride: tableStride, format: frame)
    }

    /// A runner against `target` with `threads` event loops.
    /// - Parameter requests: the run's request budget; `nil` = until stopped.
    func makeRunner(requests: Int?) async throws -> LoadRunner {
        let (host, port) = try hostPort()
        return try await LoadRunner.make(
            host: host, port: port, threads: threads, encoder: try encoder(), requests: requests)
    }

    /// Prints `report` and writes its JSON if asked.
    func emit(_ report: LoadReport) throws {
        print(report.summary)
        if let json { try report.write(to: json) }
    }
}

/// The query connections of `run` and `scale`; each mode has its own defaults.
struct PipelineOptions: ParsableArguments {
    @Option(help: "Connections that send queries (default: run 64, scale 4).")
    var connections: Int?

    @Option(help: "Requests in flight per connection, pipelined (default: run 16, scale 8).")
    var depth: Int?

    @Option(help: "Measured seconds (default: run 10, scale 3).")
    var duration: Double?

    /// The values given, or the mode's `defaults`.
    func values(defaults: (connections: Int, depth: Int, duration: Double)) -> (Int, Int, Double) {
        (connections ?? defaults.connections, depth ?? defaults.depth, duration ?? defaults.duration)
    }
}

import ArgumentParser
import Foundation
import NIOCore

/// `pegasus-load`: QueryConfig load against a MetaServer, HAProxy or meta-proxy.
@main
struct PegasusLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pegasus-load",
        abstract: "Pipelined RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX load (THFT v1, THFT v0 or RDSN) with latency percentiles.",
        subcommands: [ThroughputCommand.self, HerdCommand.self, ScaleCommand.self, FleetCommand.self],
        defaultSubcommand: ThroughputCommand.self
    )
}

/// `pegasus-load run`: N connections × depth D for a fixed time (after a warm-up) or request count.
struct ThroughputCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Throughput and latency.")

    @OptionGroup var options: LoadOptions

    @OptionGroup var pipeline: PipelineOptions

    @Option(help: "Warm-up seconds (not measured).")
    var warmup: Double = 2

    @Option(help: "Send this many requests in all instead of running for --duration (no warm-up).")
    var requests: Int?

    func run() async throws {
        let (connections, depth, duration) = pipeline.values(defaults: (64, 16, 10))
        let runner = try await options.makeRunner(requests: requests)
        let (channels, failed) = await runner.connect(count: connections)
        guard !channels.isEmpty else {
            throw LoadError(.connectFailed, subject: options.target, detail: "no connection could be opened")
        }
        let report = try await Self.measure(
            runner: runner, channels: channels, depth: depth, warmup: requests == nil ? warmup : 0,
            duration: duration, requests: requests, mode: "run", options: options, connectFailures: failed)
        await runner.shutdown(closing: channels)
        try options.emit(report)
    }

    /// Runs `channels` through warm-up, the measured window and the drain.
    static func measure(
        runner: LoadRunner, channels: [any Channel], depth: Int, warmup: Double, duration: Double, requests: Int?,
        mode: String, options: LoadOptions, connectFailures: Int
    ) async throws -> LoadReport {
        runner.control.enter(warmup > 0 ? .warmup : .measure)
        runner.start(channels, depth: depth)
        if warmup > 0 {
            try await Task.sleep(for: .seconds(warmup))
            runner.control.enter(.measure)
        }
        let measureStart = ContinuousClock.now
        if let requests {
            try await runner.waitForReplies(requests, timeout: .seconds(max(duration, 60)))
        } else {
            try await Task.sleep(for: .seconds(duration))
        }
        runner.control.enter(.stop)
        let measured = ContinuousClock.now - measureStart
        let unanswered = try await runner.drain(timeout: .seconds(10))
        return LoadReport(
            mode: mode, label: options.label, target: options.target, connections: channels.count, depth: depth,
            tables: try options.encoder().tables.count, seconds: measured.secondsValue,
            snapshot: try await runner.snapshot(), unanswered: unanswered, connectFailures: connectFailures)
    }
}

/// `pegasus-load herd`: N connections opened first, then each sends one query for the same table at once.
struct HerdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herd", abstract: "N connections each send one first query, all at once.")

    @OptionGroup var options: LoadOptions

    @Option(help: "Connections (one query each).")
    var connections: Int = 1000

    func run() async throws {
        let runner = try await options.makeRunner(requests: connections)
        let (channels, failed) = await runner.connect(count: connections)
        let report = try await ThroughputCommand.measure(
            runner: runner, channels: channels, depth: 1, warmup: 0, duration: 30, requests: channels.count,
            mode: "herd", options: options, connectFailures: failed)
        await runner.shutdown(closing: channels)
        try options.emit(report)
    }
}

/// `pegasus-load scale`: holds many idle connections, then runs queries on a few more.
struct ScaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Open and hold idle connections, then run queries on a few others.",
        discussion: """
            Prints {"event":"holding",...} on its own line once every idle connection is open, holds them \
            for --hold seconds (sample the server's memory then), then runs the query load while still \
            holding them.
            """)

    @OptionGroup var options: LoadOptions

    @Option(help: "Idle connections to hold.")
    var idle: Int = 10_000

    @Option(help: "Seconds to hold the idle connections before the queries start.")
    var hold: Double = 3

    @OptionGroup var pipeline: PipelineOptions

    func run() async throws {
        let (connections, depth, duration) = pipeline.values(defaults: (4, 8, 3))
        let runner = try await options.makeRunner(requests: nil)
        let (idleChannels, idleFailed) = await runner.connect(count: idle, firstIndex: connections)
        print("{\"event\":\"holding\",\"idle_connections\":\(idleChannels.count),\"failed\":\(idleFailed)}")
        fflush(nil)
        try await Task.sleep(for: .seconds(hold))
        let (channels, failed) = await runner.connect(count: connections)
        var report = try await ThroughputCommand.measure(
            runner: runner, channels: channels, depth: depth, warmup: 1, duration: duration, requests: nil,
            mode: "scale", options: options, connectFailures: failed + idleFailed)
        report.idleConnections = idleChannels.count
        report.idleOpenAtEnd = idleChannels.filter(\.isActive).count
        print("{\"event\":\"done\"}")
        await runner.shutdown(closing: channels + idleChannels)
        try options.emit(report)
    }
}

extension Duration {
    fileprivate var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

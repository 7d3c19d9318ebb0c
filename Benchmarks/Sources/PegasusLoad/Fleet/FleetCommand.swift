import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// `pegasus-load fleet`: load that survives a relay instance going away. Pipelined connections and
/// paced, real-client-like connections reconnect whenever their connection ends; every outcome is
/// counted by kind and by wall-clock second, so a timeline around a kill can be drawn.
struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Reconnecting load with errors by kind and a per-second timeline (instances killed behind a balancer).",
        discussion: """
            Prints {"event":"started","t":<unix seconds>} once the connections are opening, then runs for \
            --duration seconds. --timeline writes one JSON line per wall-clock second: \
            {"t": <unix second>, "load": {...}, "client": {...}} with ok, err_timeout, err_envelope, err_body, \
            wrong, lost_closed, lost_reset, client_timeouts, connects, connect_refused, connect_failed, closed, \
            reset, closed_before_reply, max_latency_ms.
            """)

    @OptionGroup var options: LoadOptions

    @Option(help: "Pipelined load connections.")
    var connections: Int = 64

    @Option(help: "Requests in flight per load connection.")
    var depth: Int = 8

    @Option(help: "Paced, real-client-like connections (one query at a time).")
    var clients: Int = 8

    @Option(name: .customLong("client-interval-ms"), help: "Pause between a paced connection's reply and its next query (ms).")
    var clientIntervalMs: Int64 = 100

    @Option(name: .customLong("reconnect-delay-ms"), help: "Pause before a connection that ended (or failed to open) reconnects (ms).")
    var reconnectDelayMs: Int64 = 100

    @Option(name: .customLong("request-timeout-ms"), help: "Client-side timeout: a request with no reply in this time is given up (ms).")
    var requestTimeoutMs: Int64 = 3000

    @Option(help: "Seconds to run.")
    var duration: Double = 30

    @Option(help: "Write the per-second timeline (JSON lines) to this file.")
    var timeline: String?

    func run() async throws {
        let (host, port) = try options.hostPort()
        let address = try SocketAddress(ipAddress: host, port: port)
        let control = RunControl(requests: nil)
        control.enter(.measure)
        let timeline = FleetTimeline()
        let runner = FleetRunner(
            address: address, group: MultiThreadedEventLoopGroup(numberOfThreads: options.threads),
            encoder: try options.encoder(), timeline: timeline, control: control,
            requestTimeout: .milliseconds(requestTimeoutMs), reconnectDelay: .milliseconds(reconnectDelayMs))
        print("{\"event\":\"started\",\"t\":\(Date().timeIntervalSince1970)}")
        fflush(nil)
        let depth = self.depth
        let duration = self.duration
        let connections = self.connections
        let clients = self.clients
        let interval = TimeAmount.milliseconds(clientIntervalMs)
        await withTaskGroup(of: Void.self) { tasks in
            for index in 0..<connections {
                tasks.addTask { await runner.runSlot(index: index, role: .load, pace: .pipelined(depth: depth)) }
            }
            for index in 0..<clients {
                tasks.addTask { await runner.runSlot(index: index, role: .client, pace: .paced(interval: interval)) }
            }
            tasks.addTask {
                try? await Task.sleep(for: .seconds(duration))
                control.enter(.stop)
                await runner.shutdown()
            }
        }
        let report = FleetReport(label: options.label, target: options.target, timeline: timeline)
        print(report.summary)
        if let path = self.timeline { try report.writeTimeline(to: path) }
        if let json = options.json { try report.writeTotals(to: json) }
    }
}

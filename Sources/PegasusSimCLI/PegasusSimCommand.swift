import ArgumentParser
import Dispatch
import Logging
import NIOPosix
import PegasusSim

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `pegasus-sim`: runs one simulated Pegasus cluster on loopback until SIGTERM or SIGINT.
@main
struct PegasusSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pegasus-sim",
        abstract: "Run a simulated Apache Pegasus cluster (MetaServers + ReplicaServers) on loopback.",
        discussion: """
            On start it prints one JSON line to stdout with the cluster's addresses, control port \
            and tables, then serves until SIGTERM or SIGINT.
            """
    )

    @Option(help: "Cluster name.")
    var cluster: String

    @Option(help: "Number of MetaServers.")
    var metas: Int = 3

    @Option(help: "Number of ReplicaServers.")
    var replicas: Int = 3

    @Option(help: "Tables as name:partitions, comma separated, e.g. t1:8,t2:4.")
    var tables: String = ""

    @Option(help: "App id of the first table; the others follow.")
    var appIdBase: Int32 = 1

    @Option(parsing: .unconditional, help: "Index of the leading MetaServer; -1 = no leader.")
    var leader: Int = 0

    @Option(help: "Query-config reply shape: plain, v25 or master.")
    var shape: SimReplyShape = .v25

    @Option(help: "Duplication query reply shape: master or v25.")
    var dupShape: SimDuplicationShape = .master

    @Option(help: "IPv4 address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "First port (metas, then replicas); omitted = ephemeral ports.")
    var basePort: Int?

    @Option(help: "Control HTTP port; 0 = ephemeral.")
    var controlPort: Int = 0

    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "pegasus-sim")
        let configuration = SimClusterConfiguration(
            name: cluster,
            metaCount: metas,
            replicaCount: replicas,
            tables: try SimTable.parseList(tables),
            appIdBase: appIdBase,
            leaderIndex: leader < 0 ? nil : leader,
            replyShape: shape,
            duplicationShape: dupShape,
            host: host,
            basePort: basePort
        )
        let signals = SignalWaiter(signals: [SIGTERM, SIGINT])
        let simCluster = try SimCluster(configuration: configuration, logger: logger)
        try await simCluster.start()
        let control: SimControlServer
        do {
            control = try await SimControlServer.start(
                cluster: simCluster, host: host, port: controlPort, logger: logger)
        } catch {
            await simCluster.stop()
            throw error
        }
        print(simCluster.summaryJSON(controlAddress: control.address))
        fflush(nil)
        let signal = await signals.next()
        logger.info("stopping", metadata: ["signal": "\(signal)"])
        await control.stop()
        await simCluster.stop()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension SimReplyShape: ExpressibleByArgument {}
extension SimDuplicationShape: ExpressibleByArgument {}

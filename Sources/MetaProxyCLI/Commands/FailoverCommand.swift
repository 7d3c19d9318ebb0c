import ArgumentParser
import FailoverControl
import FailoverPolicy
import Foundation
import MetaProxyApp
import Synchronization

/// `meta-proxy failover ...`: inspect and steer failover (DR drills, manual and planned switches).
struct FailoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover",
        abstract: "Inspect and steer failover: status, plan, switch, back, pause, resume, planned.",
        discussion: """
            State lives under <root>/.meta-proxy (see docs/failover.md): the effective route of each table, \
            the global pause flag, the decider election and the decider's health snapshot.
            """,
        subcommands: [Status.self, Plan.self, Switch.self, Back.self, Pause.self, Resume.self, Planned.self, Init.self]
    )

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the failover state nodes with the failover ACL; re-apply it to existing ones.",
            discussion: """
                Run once after setting up ZooKeeper credentials (so proxies, which may only read <root>, can \
                write their failover state below <root>/.meta-proxy), and again after changing \
                --failover-writer / zookeeper.failover_writers (credential rotation). See docs/security.md.
                """)
        @OptionGroup var options: FailoverOptions
        @OptionGroup var writers: FailoverWriterOptions

        func run() async throws {
            try await options.withAdmin(writers: writers) { admin in
                for node in try await admin.prepareState() {
                    print("\(node.created ? "created" : "acl set") \(node.path)")
                }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Declared vs effective route, health, lag, pause flags, decider, last decisions.")
        @Argument(help: "Table name; without it, one line per routed table with backups.") var table: String?
        @OptionGroup var options: FailoverOptions

        func run() async throws {
            if let table { try TableArgument.check(table) }
            try await options.withAdmin { admin in
                if let table {
                    let status = try await admin.status(of: table)
                    print(options.json ? FailoverOutput.json(status) : FailoverOutput.text(status))
                } else {
                    let overview = try await admin.overview()
                    print(options.json ? FailoverOutput.json(overview) : FailoverOutput.text(overview))
                }
            }
        }
    }

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What the decider would do now for each table with backups, and why (writes nothing).",
            discussion: """
                Builds each table's decision input the way the decider does, from the published health snapshot
                (<root>/.meta-proxy/health), the stored effective routes and the pause flags, and asks the table's
                policy: keep, switch, switch-back or refuse, with the reason code and text, the inputs (health,
                lag) and the policy (name, kind, file hash).
                """)
        @Argument(help: "Table name; without it, every table with backups.") var table: String?
        @OptionGroup var options: FailoverOptions

        func run() async throws {
            let plan = try await options.withAdmin { admin in try await admin.plan(table) }
            print(FailoverOutput.plan(plan, json: options.json))
        }
    }

    struct Switch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Route a table to another cluster: a drill, a manual DR switch, or a planned switchover.",
            discussion: """
                Without --planned the switch is judged by the table's policy (guard: lag and its age from the \
                decider's health snapshot; the target must be up) and refused unless --force. With --planned, \
                writes are blocked on the current cluster (replica.deny_client_request=timeout*write), the \
                duplication is drained to lag 0, the route is switched and the old cluster answers \
                ERR_INVALID_STATE (reconfig*all) so clients re-query; any failure before the route switch \
                unblocks writes again.
                """)
        @Argument(help: "Table name.") var table: String
        @Option(help: "Target cluster name (the primary or a declared backup).") var to: String
        @Flag(help: "Switch even when the guard or health checks fail (not with --planned; asks unless --yes).")
        var force = false
        @Flag(help: "Record the switch as a DR drill (mode drill) instead of a failover.") var drill = false
        @Flag(help: "Zero-loss switchover while the current cluster is alive (asks unless --yes).") var planned = false
        @OptionGroup var timing: PlannedTiming
        @OptionGroup var confirmation: ConfirmationOptions
        @OptionGroup var options: FailoverOptions
        @OptionGroup var writers: FailoverWriterOptions

        func validate() throws {
            if planned && force {
                throw ValidationError("--force does not apply to --planned (its checks are what make it lossless)")
            }
            if planned && drill {
                throw ValidationError("--drill does not apply to --planned")
            }
        }

        func run() async throws {
            try TableArgument.check(table)
            if force {
                try confirmation.confirm("failover switch \(table) --to \(to) --force skips the guard and health checks")
            } else if planned {
                try confirmation.confirm(
                    "failover switch \(table) --to \(to) --planned blocks writes to \(table) until the switch is done")
            }
            guard planned else {
                let result = try await options.withAdmin(writers: writers) { admin in
                    try await admin.switchTable(table, to: to, force: force, drill: drill)
                }
                print(options.json ? FailoverOutput.json(result) : FailoverOutput.text(result))
                return
            }
            let json = options.json
            try await timing.run(table: table, json: json, options: options, writers: writers) { admin, plannedOptions, progress in
                try await admin.plannedSwitch(table, to: to, options: plannedOptions, progress: progress)
            }
        }
    }

    struct Planned: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resume or abort a planned switchover that stopped (signal, crash, lost ZooKeeper, lagging instances).",
            discussion: """
                Every planned switchover records its progress in <root>/.meta-proxy/planned/<table> and holds
                the ephemeral lock <root>/.meta-proxy/planned-lock/<table> while it runs. Without an option,
                prints the record. --resume continues from the recorded step (blocking writes and draining again
                unless the route was already switched); --abort undoes the steps newest first: routes the table
                back to the source when it was switched, then restores the source's replica.deny_client_request.
                """)
        @Argument(help: "Table name.") var table: String
        @Flag(help: "Continue the switchover from the step it stopped at.") var resume = false
        @Flag(help: "Undo what the switchover did so far.") var abort = false
        @OptionGroup var timing: PlannedTiming
        @OptionGroup var confirmation: ConfirmationOptions
        @OptionGroup var options: FailoverOptions
        @OptionGroup var writers: FailoverWriterOptions

        func validate() throws {
            if resume && abort {
                throw ValidationError("--resume and --abort exclude each other")
            }
        }

        func run() async throws {
            let json = options.json
            try TableArgument.check(table)
            if resume {
                try confirmation.confirm("failover planned \(table) --resume blocks writes to \(table) until the switch is done")
            } else if abort {
                try confirmation.confirm("failover planned \(table) --abort routes \(table) back to the source and lifts its write block")
            }
            if resume {
                try await timing.run(table: table, json: json, options: options, writers: writers) {
                    admin, plannedOptions, progress in
                    try await admin.resumePlanned(table, options: plannedOptions, progress: progress)
                }
            } else if abort {
                try await timing.abort(table: table, json: json, options: options, writers: writers)
            } else {
                let record = try await options.withAdmin { admin in try await admin.plannedRecord(table) }
                print(FailoverOutput.planned(record?.record, table: table, json: json))
            }
        }
    }

    /// The timing options of `switch --planned` and `planned --resume|--abort`, and how both run:
    /// SIGINT/SIGTERM trapped (stop at the next safe point), progress on stdout, JSON or text result.
    struct PlannedTiming: ParsableArguments {
        @Option(name: .customLong("max-wait"), help: "Planned switchover: longest wait for the duplication to drain.")
        var maxWait = DurationArgument(.seconds(120))
        @Option(
            help: "Planned switchover: least time between blocking writes and accepting lag 0 (env and decree sync).")
        var settle = DurationArgument(.seconds(40))
        @Option(name: .customLong("poll-interval"), help: "Planned switchover: time between duplication queries.")
        var pollInterval = DurationArgument(.seconds(1))
        @Option(
            name: .customLong("rpc-timeout"),
            help: "Timeout of each MetaServer request (and ReplicaServer lag request on Pegasus 2.4/2.5).")
        var rpcTimeout = DurationArgument(.seconds(5))
        @Option(
            name: .customLong("instances-timeout"),
            help: "Planned switchover: longest wait for every live instance to route the table to the target.")
        var instancesTimeout = DurationArgument(.seconds(30))

        func plannedOptions(_ stop: OperatorStopRequest) -> FailoverAdmin.PlannedOptions {
            FailoverAdmin.PlannedOptions(
                maxWait: maxWait.duration, settle: settle.duration, pollInterval: pollInterval.duration,
                rpcTimeout: rpcTimeout.duration, instancesTimeout: instancesTimeout.duration,
                stopRequested: { stop.requested })
        }

        static func onSignal(_ name: String) {
            FileHandle.standardError.write(Data("\(name): stopping at the next safe point (the record keeps where)\n".utf8))
        }

        func run(
            table: String,
            json: Bool,
            options: FailoverOptions,
            writers: FailoverWriterOptions,
            _ action: @escaping (
                FailoverAdmin, FailoverAdmin.PlannedOptions, @escaping @Sendable (FailoverAdmin.PlannedEvent) -> Void
            ) async throws -> FailoverAdmin.SwitchResult
        ) async throws {
            let events = EventLog()
            let progress: @Sendable (FailoverAdmin.PlannedEvent) -> Void = { event in
                events.append(event)
                if !json {
                    // Unbuffered, so progress shows while the drain waits (also through a pipe).
                    FileHandle.standardOutput.write(Data("\(event)\n".utf8))
                }
            }
            do {
                let result = try await OperatorStopRequest.trappingSignals(onSignal: Self.onSignal) { stop in
                    try await options.withAdmin(writers: writers, rpcTimeout: rpcTimeout.duration) { admin in
                        try await action(admin, plannedOptions(stop), progress)
                    }
                }
                print(json ? FailoverOutput.json(planned: result, events: events.all) : FailoverOutput.text(result))
            } catch let error as FailoverAdminError where json {
                let failure = CommandFailure.classify(error)
                print(FailoverOutput.json(failed: error, failure: failure, table: table, events: events.all))
                throw ExitCode(failure.exitStatus)
            }
        }

        func abort(table: String, json: Bool, options: FailoverOptions, writers: FailoverWriterOptions) async throws {
            let events = EventLog()
            let progress: @Sendable (FailoverAdmin.PlannedEvent) -> Void = { event in
                events.append(event)
                if !json {
                    FileHandle.standardOutput.write(Data("\(event)\n".utf8))
                }
            }
            do {
                let result = try await options.withAdmin(writers: writers, rpcTimeout: rpcTimeout.duration) { admin in
                    try await admin.abortPlanned(
                        table, options: FailoverAdmin.PlannedOptions(rpcTimeout: rpcTimeout.duration), progress: progress)
                }
                print(FailoverOutput.aborted(result, events: events.all, json: json))
            } catch let error as FailoverAdminError where json {
                let failure = CommandFailure.classify(error)
                print(FailoverOutput.json(failed: error, failure: failure, table: table, events: events.all))
                throw ExitCode(failure.exitStatus)
            }
        }
    }

    /// The events of a planned operation, collected from its progress callback for JSON output.
    final class EventLog: Sendable {
        private let events = Mutex<[FailoverAdmin.PlannedEvent]>([])

        func append(_ event: FailoverAdmin.PlannedEvent) {
            events.withLock { $0.append(event) }
        }

        var all: [FailoverAdmin.PlannedEvent] {
            events.withLock { $0 }
        }
    }

    struct Back: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Route a table back to its declared primary (guarded like switch unless --force).",
            discussion: """
                Writes the backup took reach the primary only through a reverse duplication (backup → primary). \
                Without one they stay on the backup: drain or set one up first (docs/failover.md).
                """)
        @Argument(help: "Table name.") var table: String
        @Flag(help: "Switch back even when the checks fail (asks for confirmation unless --yes).") var force = false
        @OptionGroup var confirmation: ConfirmationOptions
        @OptionGroup var options: FailoverOptions
        @OptionGroup var writers: FailoverWriterOptions

        func run() async throws {
            try TableArgument.check(table)
            if force {
                try confirmation.confirm("failover back \(table) --force skips the guard and health checks")
            }
            let result = try await options.withAdmin(writers: writers) { admin in
                try await admin.switchBack(table, force: force)
            }
            print(options.json ? FailoverOutput.json(result, caveat: FailoverOutput.backCaveat(result)) : FailoverOutput.text(result))
            if !options.json {
                print("note: \(FailoverOutput.backCaveat(result))")
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Freeze automatic switching for one table, or for every table.")
        @Argument(help: "Table name; without it, pause globally.") var table: String?
        @Option(help: "Why (stored in the global pause node).") var reason: String?
        @OptionGroup var options: FailoverOptions
        @OptionGroup var writers: FailoverWriterOptions

        func validate() throws {
            if table != nil && reason != nil {
                throw ValidationError("--reason applies to the global pause only")
            }
        }

        func run() async throws {
            if let table { try TableArgument.check(table) }
            try await options.withAdmin(writers: writers) { admin in
                if let table {
                    let (wasPaused, after) = try await admin.pause(table: table)
                    print(FailoverOutput.pause(table: table, before: wasPaused, after: after.paused, json: options.json))
                } else {
                    let (pause, created) = try await admin.pauseAll(reason: reason)
                    print(FailoverOutput.globalPause(pause, changed: created, paused: true, json: options.json))
                }
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resume automatic switching for one table, or globally.")
        @Argument(help: "Table name; without it, resume globally.") var table: String?
        @OptionGroup var options: FailoverOptions
        @OptionGroup var writers: FailoverWriterOptions

        func run() async throws {
            if let table { try TableArgument.check(table) }
            try await options.withAdmin(writers: writers) { admin in
                if let table {
                    let (wasPaused, after) = try await admin.resume(table: table)
                    print(
                        FailoverOutput.pause(
                            table: table, before: wasPaused, after: after?.paused ?? false, json: options.json))
                } else {
                    let removed = try await admin.resumeAll()
                    print(FailoverOutput.globalPause(removed, changed: removed != nil, paused: false, json: options.json))
                }
            }
        }
    }
}

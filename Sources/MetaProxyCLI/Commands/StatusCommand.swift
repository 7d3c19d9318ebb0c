import ArgumentParser
import Foundation
import MetaProxyApp

/// `meta-proxy status`: the fleet of instances sharing a ZooKeeper root.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every meta-proxy instance under a ZooKeeper root and the tables they route off the primary.",
        discussion: """
            Reads the instance registry (<root>/.meta-proxy/instances): one line per instance (id, host, admin \
            address, version, uptime, route source, decider), then every table some instance routes to a \
            cluster other than its declared primary, or that instances route differently, with what each \
            instance routes. See docs/monitoring.md.
            """)
    @OptionGroup var zk: ZooKeeperOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let fleet = try await FleetStatus.read(try zk.settings())
        print(json ? fleet.json(now: Date()) : fleet.text(now: Date()))
    }
}

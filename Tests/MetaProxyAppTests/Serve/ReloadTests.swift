import Logging
import Testing

@testable import MetaProxyApp

@Suite("SIGHUP reload pieces")
struct ReloadTests {
    static func decode(_ yaml: String) throws -> ProxyConfiguration {
        try ProxyConfiguration.decode(yaml: yaml, file: "proxy.yaml")
    }

    @Test func logLevelIsAppliedAndOtherChangedKeysNeedARestart() throws {
        let old = try Self.decode("routes_file: routes.yaml\nlog: { level: info }\n")
        let new = try Self.decode("routes_file: routes.yaml\nlog: { level: debug }\nserver: { max_connections: 5 }\n")
        let changes = ConfigurationChanges(from: old, to: new)
        #expect(changes.applied == ["log.level"])
        #expect(changes.needRestart == ["server.max_connections"])
    }

    @Test func anUnchangedFileChangesNothing() throws {
        let old = try Self.decode("routes_file: routes.yaml\n")
        #expect(ConfigurationChanges(from: old, to: old).isEmpty)
    }

    @Test func handlersFollowTheReloadedLevelUnlessALoggerSetsItsOwn() {
        let level = ReloadableLogLevel(.info)
        let logger = Logger(label: "t") { level.standardErrorHandler(label: $0) }
        var own = Logger(label: "own") { level.standardErrorHandler(label: $0) }
        own.logLevel = .error
        #expect(logger.logLevel == .info)
        level.level = .debug
        #expect(logger.logLevel == .debug)
        #expect(own.logLevel == .error)
    }
}

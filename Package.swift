// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("ExistentialAny"),
]

/// The modules every relayed request runs through (wire codec, router). In release builds their
/// exclusivity checks are static only: the dynamic checks cost about a tenth of the proxy's CPU
/// per request (BENCHMARKS.md, "Round 7"), and debug builds — every test run — keep them, which
/// is where a violation is caught. `scripts/build-release.sh` turns them off for every module.
let dataPathSettings: [SwiftSetting] =
    swiftSettings + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

/// The build's identity for `meta-proxy --version` and `metaproxy_build_info`, as C macros of the
/// CBuildInfo target (only its one C file is recompiled when they change):
/// - the commit: META_PROXY_COMMIT (scripts/build-release.sh sets it), else SwiftPM's git information
///   (`-dirty` with uncommitted changes; exact on a fresh checkout, but SwiftPM re-evaluates this
///   manifest only when its text or the environment changes, so in a working tree it can lag behind
///   HEAD), else "unknown" (no git checkout);
/// - the build date: META_PROXY_BUILD_DATE (scripts/build-release.sh and scripts/package.sh set it),
///   else "unknown", so a plain `swift build` stays incremental;
/// - the Swift version: META_PROXY_SWIFT_VERSION (the scripts set it from `swift --version`), else the
///   binary reports the compiler version it was compiled with (major.minor).
/// A value with other characters than `[0-9A-Za-z._:+-]` (or longer than 64) is ignored.
let buildIdentity: [CSetting] = {
    func literal(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.count <= 64,
            value.unicodeScalars.allSatisfy({ "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._:+-".unicodeScalars.contains($0) })
        else { return nil }
        return "\"\(value)\""
    }
    let environment = Context.environment
    let git = Context.gitInformation.map { $0.currentCommit + ($0.hasUncommittedChanges ? "-dirty" : "") }
    let values = [
        ("METAPROXY_BUILD_COMMIT", literal(environment["META_PROXY_COMMIT"]) ?? literal(git)),
        ("METAPROXY_BUILD_DATE", literal(environment["META_PROXY_BUILD_DATE"])),
        ("METAPROXY_BUILD_SWIFT_VERSION", literal(environment["META_PROXY_SWIFT_VERSION"])),
    ]
    return values.compactMap { name, value in value.map { CSetting.define(name, to: $0) } }
}()

let package = Package(
    name: "meta-proxy",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "meta-proxy", targets: ["MetaProxyCLI"]),
        .executable(name: "pegasus-sim", targets: ["PegasusSimCLI"]),
        .library(name: "PegasusWire", targets: ["PegasusWire"]),
        .library(name: "PegasusSim", targets: ["PegasusSim"]),
        // For the separate fuzzing package (Fuzz/), which fuzzes the route parsers: no ZooKeeper, no libcurl.
        .library(name: "RouteModel", targets: ["RouteModel"]),
        // For the fuzzing package too: the admin HTTP server alone (NIO, no ZooKeeper, no libcurl).
        .library(name: "AdminHTTP", targets: ["AdminHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // Wire codec: Thrift binary protocol, THFT request frames, rDSN reply frames, typed IDL messages. No I/O.
        .target(
            name: "PegasusWire",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: dataPathSettings
        ),
        // Apache's ZooKeeper C client (libzookeeper-mt-dev), multi-threaded flavour.
        .systemLibrary(
            name: "CZooKeeper",
            providers: [.apt(["libzookeeper-mt-dev"])]
        ),
        // Async/await ZooKeeper API over CZooKeeper.
        .target(
            name: "ZooKeeper",
            dependencies: [
                "CZooKeeper",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            cSettings: [.define("THREADED")],
            swiftSettings: swiftSettings + [.define("THREADED")]
        ),
        // libcurl (libcurl4-openssl-dev) for HTTP health probes.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Health probes of every primary and backup MetaServer cluster.
        .target(
            name: "HealthProbe",
            dependencies: [
                "CCurl",
                "PegasusWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Policy files and pure failover decision logic (PegasusWire for its duplication values only: no I/O).
        .target(
            name: "FailoverPolicy",
            dependencies: [
                "PegasusWire",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Route values and parsers (route documents, routes files). No I/O.
        .target(
            name: "RouteModel",
            dependencies: ["PegasusWire", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // The data plane: route stores (ZooKeeper, file), the upstream MetaServer pool, the proxy.
        // Knows failover only through `EffectiveRouteSource`.
        .target(
            name: "Router",
            dependencies: [
                "PegasusWire",
                "RouteModel",
                "ZooKeeper",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: dataPathSettings
        ),
        // The failover control plane: decider, election, effective-route state, health publication,
        // operator actions, and the runtime that assembles them.
        .target(
            name: "FailoverControl",
            dependencies: [
                "PegasusWire",
                "RouteModel",
                "Router",
                "ZooKeeper",
                "HealthProbe",
                "FailoverPolicy",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The admin HTTP listener: request parsing, routing by path, connection limits and timeouts.
        .target(
            name: "AdminHTTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The build's identity (commit, date, Swift version) as C strings: see `buildIdentity` above.
        .target(name: "CBuildInfo", cSettings: buildIdentity),
        // The application: configuration, the admin HTTP server, instance wiring, and what each CLI command does.
        .target(
            name: "MetaProxyApp",
            dependencies: [
                "AdminHTTP",
                "CBuildInfo",
                "PegasusWire",
                "RouteModel",
                "Router",
                "ZooKeeper",
                "HealthProbe",
                "FailoverPolicy",
                "FailoverControl",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Simulated Pegasus cluster (MetaServers with RPC + HTTP, ReplicaServers) on loopback.
        .target(
            name: "PegasusSim",
            dependencies: [
                "PegasusWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The `meta-proxy` executable: arguments and output only; what each command does is in MetaProxyApp.
        .executableTarget(
            name: "MetaProxyCLI",
            dependencies: [
                "MetaProxyApp",
                "PegasusWire",
                "RouteModel",
                "Router",
                "HealthProbe",
                "FailoverPolicy",
                "FailoverControl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "PegasusSimCLI",
            dependencies: [
                "PegasusSim",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PegasusWireTests",
            dependencies: [
                "PegasusWire", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZooKeeperTests",
            dependencies: [
                "ZooKeeper", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HealthProbeTests",
            dependencies: [
                "HealthProbe",
                "PegasusWire",
                "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FailoverPolicyTests",
            dependencies: [
                "FailoverPolicy",
                "PegasusWire",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PegasusSimTests",
            dependencies: [
                "PegasusSim", "PegasusWire", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // What every test target shares: the test ZooKeeper servers, polling, a manual clock, loggers,
        // free ports, route fixtures.
        .target(
            name: "TestSupport",
            dependencies: [
                "ZooKeeper",
                "RouteModel",
                "Router",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RouteModelTests",
            dependencies: ["RouteModel", "PegasusWire", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RouterTests",
            dependencies: [
                "Router", "RouteModel", "PegasusWire", "PegasusSim", "ZooKeeper", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FailoverControlTests",
            dependencies: [
                "FailoverControl", "Router", "RouteModel", "PegasusWire", "PegasusSim", "ZooKeeper",
                "FailoverPolicy", "HealthProbe", "TestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AdminHTTPTests",
            dependencies: [
                "AdminHTTP", "TestSupport",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MetaProxyAppTests",
            dependencies: [
                "MetaProxyApp", "AdminHTTP", "FailoverControl", "FailoverPolicy", "HealthProbe", "Router", "RouteModel",
                "PegasusWire", "ZooKeeper", "TestSupport",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

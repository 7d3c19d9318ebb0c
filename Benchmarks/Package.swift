// swift-tools-version:6.1
import PackageDescription

// The root package is a path dependency; SwiftPM names such a package after its directory, which
// differs between checkouts (a worktree, CI's clone), so the name is derived from where this file is.
let rootPackage: String = {
    let parts = Context.packageDirectory.split(separator: "/")
    return parts.count >= 2 ? String(parts[parts.count - 2]).lowercased() : "meta-proxy"
}()

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "meta-proxy-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // `pegasus-load`: pipelined QueryConfig load over N connections (throughput, herd, scale).
        .executableTarget(
            name: "pegasus-load",
            dependencies: [
                .product(name: "PegasusWire", package: rootPackage),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Sources/PegasusLoad",
            swiftSettings: swiftSettings
        ),
        // Codec micro-benchmarks (ordo-one/benchmark): `swift package benchmark`.
        .executableTarget(
            name: "CodecBenchmarks",
            dependencies: [
                .product(name: "PegasusWire", package: rootPackage),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CodecBenchmarks",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)

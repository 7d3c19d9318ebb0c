// swift-tools-version:6.1
// libFuzzer targets for meta-proxy's hostile-input parsers. A separate package so the main build and
// `swift build` in CI never see the sanitizer flags; build and run it with `scripts/fuzz.sh`.
import PackageDescription

let package = Package(
    name: "meta-proxy-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "meta-proxy", path: "../"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // The declaration of libFuzzer's driver entry point.
        .target(name: "CLibFuzzer"),
        // One libFuzzer executable holding every target; FUZZ_TARGET (or the name it is run under,
        // `pegasus-fuzz-<target>`) picks one. Build with `-sanitize=fuzzer,address` (scripts/fuzz.sh).
        .executableTarget(
            name: "PegasusFuzz",
            dependencies: [
                "CLibFuzzer",
                .product(name: "PegasusWire", package: "meta-proxy"),
                .product(name: "RouteModel", package: "meta-proxy"),
                .product(name: "AdminHTTP", package: "meta-proxy"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: [
                .enableUpcomingFeature("MemberImportVisibility"),
                .enableUpcomingFeature("ExistentialAny"),
            ]
        ),
    ]
)

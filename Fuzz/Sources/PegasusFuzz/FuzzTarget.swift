import Foundation

/// The fuzz targets in this executable. One is chosen per process by `FUZZ_TARGET=<name>` or, when that
/// is unset, by the name the executable runs under (`pegasus-fuzz-<name>`, e.g. a symlink).
enum FuzzTarget: String, CaseIterable, Sendable {
    /// THFT request frames: `RequestFrameDecoder`, `RequestFrame.read`, `decodeArgs`, the relay re-encoding.
    case request
    /// MetaServer replies: `ResponseFrameDecoder`, `decodeResult`, `peekForward`/`peekError`, `ThriftReader.skip`.
    case reply
    /// Route documents: `RouteDocument.decode` (ZooKeeper JSON) and `RouteFile.parse` (routes-file YAML).
    case route
    /// RDSN native frames: `RdsnFrameDecoder`, `RdsnFrame.read`, the THFT translation.
    case rdsn
    /// Admin HTTP requests: the admin connection pipeline (limits, HTTP/1 parsing, routing) and `AdminRequestTarget`.
    case admin

    /// The target of this process; exits with status 2 when none is named.
    static let selected: FuzzTarget = {
        let environment = ProcessInfo.processInfo.environment["FUZZ_TARGET"]
        let program = CommandLine.arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? ""
        let prefix = "pegasus-fuzz-"
        let name = environment ?? (program.hasPrefix(prefix) ? String(program.dropFirst(prefix.count)) : "")
        guard let target = FuzzTarget(rawValue: name) else {
            let names = allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("set FUZZ_TARGET to one of: \(names) (got \"\(name)\")\n".utf8))
            exit(2)
        }
        return target
    }()

    /// Runs the target on one input.
    func run(_ bytes: [UInt8]) {
        switch self {
        case .request: RequestFuzzer.run(bytes)
        case .reply: ReplyFuzzer.run(bytes)
        case .route: RouteFuzzer.run(bytes)
        case .rdsn: RdsnFuzzer.run(bytes)
        case .admin: AdminFuzzer.run(bytes)
        }
    }
}

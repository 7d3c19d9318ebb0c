import Metrics
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The standard Prometheus process metrics (the names every Prometheus client library exports), read
/// from Linux's `/proc` whenever `/metrics` is rendered (``update()``):
/// `process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_virtual_memory_bytes`,
/// `process_open_fds`, `process_max_fds`, `process_start_time_seconds`.
///
/// swift-prometheus does not export them. On other systems nothing is exported.
final class ProcessMetrics: Sendable {
    private let cpuSeconds = FloatingPointCounter(label: "process_cpu_seconds_total")
    private let residentBytes = Gauge(label: "process_resident_memory_bytes")
    private let virtualBytes = Gauge(label: "process_virtual_memory_bytes")
    private let openFDs = Gauge(label: "process_open_fds")
    private let maxFDs = Gauge(label: "process_max_fds")
    private let startTime = Gauge(label: "process_start_time_seconds")
    /// The CPU seconds already added to the counter (it can only be incremented).
    private let reportedCPUSeconds = Mutex<Double>(0)

    init() {
        #if os(Linux)
            update()
        #endif
    }

    /// Reads `/proc/self` and sets every metric. A file that cannot be read leaves its metrics as they were.
    func update() {
        #if os(Linux)
            let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
            let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
            if let line = Self.readText("/proc/self/stat"), let stat = ProcessStat(parsing: line), ticksPerSecond > 0 {
                let total = Double(stat.userTicks + stat.systemTicks) / ticksPerSecond
                let delta = reportedCPUSeconds.withLock { reported -> Double in
                    let delta = total - reported
                    if delta > 0 { reported = total }
                    return delta
                }
                if delta > 0 { cpuSeconds.increment(by: delta) }
                residentBytes.record(Double(stat.residentPages) * pageSize)
                virtualBytes.record(Double(stat.virtualBytes))
                if let system = Self.readText("/proc/stat"), let boot = ProcessStat.bootTime(parsingSystemStat: system) {
                    startTime.record(Double(boot) + Double(stat.startTicks) / ticksPerSecond)
                }
            }
            if let count = Self.openDescriptorCount() { openFDs.record(Double(count)) }
            var limit = rlimit()
            if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
                maxFDs.record(Double(limit.rlim_cur))
            }
        #endif
    }

    #if os(Linux)
        /// The entries of `/proc/self/fd`, without the one listing them.
        private static func openDescriptorCount() -> Int? {
            guard let directory = opendir("/proc/self/fd") else { return nil }
            defer { closedir(directory) }
            var count = 0
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                    String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { count += 1 }
            }
            return max(count - 1, 0)
        }

        /// A small `/proc` file's text; `nil` if it cannot be read.
        private static func readText(_ path: String) -> String? {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 { return nil }
                if count == 0 { break }
                bytes.append(contentsOf: buffer[0..<count])
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    #endif
}

/// `metaproxy_build_info{version,commit,swift_version} 1`: which build an instance runs.
enum BuildInfoMetric {
    /// Sets the gauge for `info`.
    static func record(_ info: BuildInfo = .current) {
        Gauge(
            label: "metaproxy_build_info",
            dimensions: [("version", info.version), ("commit", info.commit), ("swift_version", info.swiftVersion)]
        ).record(1)
    }
}

import Foundation
import NIOCore
import PegasusWire
import RouteModel
import Router

/// How many CPUs this process may run on.
public enum CPUAffinity {
    /// The CPUs in this process's affinity mask (`Cpus_allowed` in `/proc/self/status`), capped by what
    /// NIO counts for the machine or its cgroup (`System.coreCount`); `System.coreCount` where the mask
    /// is unreadable.
    ///
    /// NIO's `System.coreCount` ignores the affinity mask, so under `taskset -c 1` a proxy sized by it
    /// would run two event loops taking turns on one core.
    public static func usableCores() -> Int {
        let machine = max(1, System.coreCount)
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let allowed = allowedCount(status: status), allowed > 0
        else { return machine }
        return min(allowed, machine)
    }

    /// The number of CPUs in the `Cpus_allowed:` line of a `/proc/<pid>/status` text (a hex mask in
    /// comma-separated 32-bit groups), or `nil` without a readable line.
    static func allowedCount(status: String) -> Int? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else {
            return nil
        }
        var count = 0
        for character in line.dropFirst("Cpus_allowed:".count) where character != "," && !character.isWhitespace {
            guard let nibble = character.hexDigitValue else { return nil }
            count += nibble.nonzeroBitCount
        }
        return count
    }
}

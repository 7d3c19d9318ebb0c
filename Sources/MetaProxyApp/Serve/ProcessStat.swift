/// The fields of Linux's `/proc/<pid>/stat` that the process metrics use (proc(5)).
struct ProcessStat: Sendable, Equatable {
    /// User-mode CPU time, in clock ticks (field 14, `utime`).
    var userTicks: UInt64
    /// Kernel-mode CPU time, in clock ticks (field 15, `stime`).
    var systemTicks: UInt64
    /// When the process started, in clock ticks after boot (field 22, `starttime`).
    var startTicks: UInt64
    /// Virtual memory size in bytes (field 23, `vsize`).
    var virtualBytes: UInt64
    /// Resident set size in pages (field 24, `rss`).
    var residentPages: UInt64

    /// Parses one `/proc/<pid>/stat` line; `nil` if it is not one.
    ///
    /// The command name (field 2) is in parentheses and may itself hold spaces and parentheses, so the
    /// numbered fields are counted from the *last* `)`.
    init?(parsing line: String) {
        guard let close = line.lastIndex(of: ")") else { return nil }
        // Fields 3... (state, ppid, ...): index 0 here is field 3.
        let fields = line[line.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        func field(_ number: Int) -> UInt64? {
            let index = number - 3
            guard fields.indices.contains(index) else { return nil }
            return UInt64(fields[index])
        }
        guard let user = field(14), let system = field(15), let start = field(22), let virtual = field(23),
            let resident = field(24)
        else { return nil }
        self.userTicks = user
        self.systemTicks = system
        self.startTicks = start
        self.virtualBytes = virtual
        self.residentPages = resident
    }

    /// The boot time in seconds since the epoch, from `/proc/stat`'s `btime` line; `nil` without one.
    static func bootTime(parsingSystemStat text: String) -> UInt64? {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return UInt64(line.dropFirst("btime ".count).trimmingCharacters(in: " "))
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in character: Character) -> Substring {
        var slice = self
        while slice.first == character { slice = slice.dropFirst() }
        while slice.last == character { slice = slice.dropLast() }
        return slice
    }
}

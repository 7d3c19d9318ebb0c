/// What `meta-proxy check` found: one line per thing checked, and every problem with the file (or
/// ZooKeeper node) and key at fault. Fine when it has no problem; warnings do not fail a check.
public struct CheckReport: Sendable, Equatable {
    /// One problem: where (a file, a directory or a ZooKeeper node path), the key inside it if any, and what.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The file, directory or ZooKeeper node path.
        public var source: String
        /// The key path inside it (`server.listen`, `orders.backups[0]`), when the problem is at a key.
        public var key: String?
        /// What is wrong.
        public var message: String

        /// A problem.
        public init(source: String, key: String? = nil, message: String) {
            self.source = source
            self.key = key
            self.message = message
        }

        /// `<source>: <key>: <message>`, without the key when there is none.
        public var description: String {
            ([source] + (key.map { [$0] } ?? []) + [message]).joined(separator: ": ")
        }
    }

    /// What was checked and found, one line each (`routes /etc/meta-proxy/routes.yaml: 3 tables …`).
    public var found: [String] = []
    /// Things that work but may not be what was meant (a policy directory that does not exist).
    public var warnings: [String] = []
    /// Every problem.
    public var problems: [Problem] = []

    /// An empty report.
    public init() {}

    /// Whether nothing is wrong.
    public var isFine: Bool { problems.isEmpty }

    /// The report for people: the found lines, `warning: …` lines, `problem: …` lines, and a last line
    /// `check passed` or `check failed: N problem(s)`.
    public var text: String {
        var lines = found
        lines += warnings.map { "warning: \($0)" }
        lines += problems.map { "problem: \($0)" }
        lines.append(isFine ? "check passed" : "check failed: \(problems.count) problem\(problems.count == 1 ? "" : "s")")
        return lines.joined(separator: "\n")
    }

    /// Appends `other`'s lines and problems.
    mutating func merge(_ other: CheckReport) {
        found += other.found
        warnings += other.warnings
        problems += other.problems
    }
}

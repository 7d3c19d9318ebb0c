/// A table the simulated cluster serves.
public struct SimTable: Hashable, Sendable {
    /// The table (app) name.
    public var name: String
    /// Number of partitions.
    public var partitionCount: Int
    /// A fixed app id; `nil` = `appIdBase + position in the table list`.
    public var appId: Int32?

    /// Creates a table.
    /// - Parameters:
    ///   - name: The table name.
    ///   - partitionCount: Number of partitions (at least 1).
    ///   - appId: A fixed app id; `nil` derives it from the cluster's `appIdBase`.
    public init(name: String, partitionCount: Int, appId: Int32? = nil) {
        self.name = name
        self.partitionCount = partitionCount
        self.appId = appId
    }
}

extension SimTable {
    /// Parses a table list such as `t1:8,t2:4` (name `:` partition count, comma separated);
    /// `t[0-24999]:1` is a range of many tables, `t0` to `t24999`, for scale tests (a list of
    /// tens of thousands of names would not fit in one command-line argument).
    /// - Throws: `SimError.Code.invalidArgument` naming the bad entry.
    public static func parseList(_ text: String) throws(SimError) -> [SimTable] {
        var tables: [SimTable] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let count = Int(parts[1]), count > 0 else {
                throw SimError(.invalidArgument, subject: String(entry), detail: "expected <name>:<partition count>")
            }
            if let (prefix, range) = Self.range(parts[0]) {
                tables += range.map { SimTable(name: "\(prefix)\($0)", partitionCount: count) }
            } else {
                tables.append(SimTable(name: String(parts[0]), partitionCount: count))
            }
        }
        return tables
    }

    /// `prefix[first-last]` as the prefix and the numbers, or `nil` when `name` is a plain name.
    private static func range(_ name: Substring) -> (Substring, ClosedRange<Int>)? {
        guard name.hasSuffix("]"), let open = name.firstIndex(of: "[") else { return nil }
        let bounds = name[name.index(after: open)..<name.index(before: name.endIndex)].split(separator: "-")
        guard bounds.count == 2, let first = Int(bounds[0]), let last = Int(bounds[1]), first <= last else { return nil }
        return (name[..<open], first...last)
    }
}

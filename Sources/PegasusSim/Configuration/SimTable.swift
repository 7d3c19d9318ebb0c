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
    /// Parses a table list such as `t1:8,t2:4` (name `:` partition count, comma separated).
    /// - Throws: `SimError.Code.invalidArgument` naming the bad entry.
    public static func parseList(_ text: String) throws(SimError) -> [SimTable] {
        var tables: [SimTable] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let count = Int(parts[1]), count > 0 else {
                throw SimError(.invalidArgument, subject: String(entry), detail: "expected <name>:<partition count>")
            }
            tables.append(SimTable(name: String(parts[0]), partitionCount: count))
        }
        return tables
    }
}

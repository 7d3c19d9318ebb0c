/// A table the load queries and the `app_id` its replies must carry (`name:app_id`).
struct TableSpec: Sendable, Hashable {
    /// The table name sent as `app_name`.
    var name: String
    /// The `app_id` every reply for this table must carry.
    var appId: Int32

    /// Parses `t1:1,t2:2`; `t[0-19999]:1` is a range of many tables, `t0:1` to `t19999:20000`
    /// (the app ids follow the names, as pegasus-sim numbers a range of tables).
    /// - Throws: ``LoadError`` naming the bad entry.
    static func parseList(_ text: String) throws(LoadError) -> [TableSpec] {
        var tables: [TableSpec] = []
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: ":")
            guard parts.count == 2, !parts[0].isEmpty, let appId = Int32(parts[1]) else {
                throw LoadError(.badArgument, subject: "--tables", detail: "\"\(entry)\" is not name:app_id")
            }
            if let (prefix, range) = Self.range(parts[0]) {
                for (offset, number) in range.enumerated() {
                    tables.append(TableSpec(name: "\(prefix)\(number)", appId: appId + Int32(offset)))
                }
            } else {
                tables.append(TableSpec(name: String(parts[0]), appId: appId))
            }
        }
        guard !tables.isEmpty else {
            throw LoadError(.badArgument, subject: "--tables", detail: "no table given")
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

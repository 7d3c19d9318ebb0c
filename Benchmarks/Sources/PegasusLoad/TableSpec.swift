/// A table the load queries and the `app_id` its replies must carry (`name:app_id`).
struct TableSpec: Sendable, Hashable {
    /// The table name sent as `app_name`.
    var name: String
    /// The `app_id` every reply for this table must carry.
    var appId: Int32

    /// Parses `t1:1,t2:2`.
    /// - Throws: ``LoadError`` naming the bad entry.
    static func parseList(_ text: String) throws(LoadError) -> [TableSpec] {
        var tables: [TableSpec] = []
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: ":")
            guard parts.count == 2, !parts[0].isEmpty, let appId = Int32(parts[1]) else {
                throw LoadError(.badArgument, subject: "--tables", detail: "\"\(entry)\" is not name:app_id")
            }
            tables.append(TableSpec(name: String(parts[0]), appId: appId))
        }
        guard !tables.isEmpty else {
            throw LoadError(.badArgument, subject: "--tables", detail: "no table given")
        }
        return tables
    }
}

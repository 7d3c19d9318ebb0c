import PegasusWire

/// The routes file that ``FileRouteStore`` serves: YAML with a `tables` mapping from table name to entry.
///
/// ```yaml
/// tables:
///   t1: { cluster: c1, meta_addrs: ["127.0.0.1:34601", "127.0.0.1:34602"] }
///   t2: { cluster: c2, meta_addrs: "127.0.0.1:34611", backups: [{ cluster: c1, meta_addrs: ["127.0.0.1:34601"] }] }
/// ```
/// Entries take the keys of ``RouteDocument`` (`cluster`, `meta_addrs` or `meta-addrs` as a list or a
/// comma-separated string, `backups`); any other key is an error. `tables: {}` is a valid, empty file.
public enum RouteFile {
    /// The top-level keys.
    static let topLevelKeys: Set<String> = ["tables"]

    /// Parses a routes file's contents.
    /// - Parameters:
    ///   - contents: The file's bytes (UTF-8 YAML).
    ///   - file: The file's path, for errors.
    /// - Returns: The routes by table name.
    /// - Throws: ``RouteError`` with code ``RouteError/Code/malformed`` naming `file` and the key path,
    ///   e.g. `routes.yaml: tables.t2.meta_addrs[1]: "x:y" is not host:port: …`.
    public static func parse(_ contents: [UInt8], file: String) throws(RouteError) -> [String: Route] {
        do throws(DocumentError) {
            guard let text = String(validating: contents, as: UTF8.self) else {
                throw DocumentError(kind: .syntax, path: "", message: "not UTF-8 text")
            }
            guard let document = try DocumentValue.parseYAML(text) else {
                throw DocumentError(kind: .invalidValue, path: "", message: "empty file, expected a \"tables\" mapping")
            }
            let root = try document.mapping(knownKeys: topLevelKeys)
            guard let tablesValue = root["tables"] else {
                if root.entries.contains(where: { $0.key == "tables" }) {
                    return [:]
                }
                throw DocumentError(kind: .invalidValue, path: "", message: "missing key \"tables\"")
            }
            var routes: [String: Route] = [:]
            for entry in try tablesValue.mapping().entries {
                try checkTableName(entry.key, path: entry.value.path)
                routes[entry.key] = try RouteEntryReader.route(
                    table: entry.key,
                    from: entry.value,
                    rejectsUnknownKeys: true
                )
            }
            return routes
        } catch {
            throw RouteError(error, source: file)
        }
    }

    private static func checkTableName(_ table: String, path: String) throws(DocumentError) {
        let isInvalid: (Unicode.Scalar) -> Bool = { $0 == "/" || $0.properties.isWhitespace || $0.value < 0x20 }
        guard !table.isEmpty, !table.unicodeScalars.contains(where: isInvalid) else {
            throw DocumentError(
                kind: .invalidValue,
                path: path,
                message: "table names must be non-empty, without \"/\", spaces or control characters"
            )
        }
    }
}

import Foundation

/// The JSON a ZooKeeper route node holds, read into a ``Route`` and written from one.
///
/// Read: the RFC layout `{"cluster": "c1", "meta-addrs": ["h:p", …]}` and the earlier Go meta-proxy's
/// `{"cluster_name": "c1", "meta_addrs": "h:p,h:p"}` (one address is enough for us), both with optional
/// `"backups": [{"cluster": …, "meta-addrs": […]}, …]` in preference order (Go-style keys accepted there too).
/// Unknown keys are ignored so other tools may add fields. Write: the RFC layout, keys in the order
/// `cluster`, `meta-addrs`, `backups` (the last only when there are backups), no whitespace.
public enum RouteDocument {
    /// Reads a route from a ZooKeeper node's data. Never traps, whatever the bytes.
    /// - Parameters:
    ///   - data: The node's data.
    ///   - table: The table the node is for.
    ///   - path: The node path, for errors.
    /// - Throws: ``RouteError`` with code ``RouteError/Code/malformed`` naming `path`, the key path and the problem.
    public static func decode(_ data: some Collection<UInt8>, table: String, path: String) throws(RouteError) -> Route {
        do throws(DocumentError) {
            guard !data.isEmpty else {
                throw DocumentError(kind: .syntax, path: "", message: "empty node data")
            }
            let document = try DocumentValue.parseJSON(Data(data))
            return try RouteEntryReader.route(table: table, from: document, rejectsUnknownKeys: false)
        } catch {
            throw RouteError(code: .malformed, table: table, source: path, keyPath: error.path, reason: error.message)
        }
    }

    /// Writes a route in the RFC layout (UTF-8 JSON).
    public static func encode(_ route: Route) -> [UInt8] {
        var json = clusterJSON(route.primary)
        if !route.backups.isEmpty {
            json.removeLast()
            json += ",\"backups\":[" + route.backups.map(clusterJSON).joined(separator: ",") + "]}"
        }
        return Array(json.utf8)
    }

    private static func clusterJSON(_ cluster: ClusterRoute) -> String {
        let metas = cluster.metas.map { jsonString($0.description) }.joined(separator: ",")
        return "{\"cluster\":\(jsonString(cluster.name)),\"meta-addrs\":[\(metas)]}"
    }

    /// A JSON string literal (RFC 8259 escaping).
    private static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

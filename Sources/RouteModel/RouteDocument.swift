import Foundation
import PegasusWire

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
            throw RouteError(error, table: table, source: path)
        }
    }

    /// Writes a route in the RFC layout (UTF-8 JSON).
    public static func encode(_ route: Route) -> [UInt8] {
        var fields = clusterFields(route.primary)
        if !route.backups.isEmpty {
            let backups = route.backups.map { "{" + clusterFields($0) + "}" }.joined(separator: ",")
            fields += ",\"backups\":[\(backups)]"
        }
        return Array("{\(fields)}".utf8)
    }

    /// `"cluster":"<name>","meta-addrs":["h:p",…]`.
    private static func clusterFields(_ cluster: ClusterRoute) -> String {
        let metas = cluster.metas.map { $0.description.jsonQuoted() }.joined(separator: ",")
        return "\"cluster\":\(cluster.name.jsonQuoted()),\"meta-addrs\":[\(metas)]"
    }
}

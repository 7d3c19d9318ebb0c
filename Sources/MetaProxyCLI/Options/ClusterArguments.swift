import ArgumentParser
import Foundation
import PegasusWire
import RouteModel

/// Parses `--meta h:p,h:p` and `--backup NAME=h:p,h:p` arguments.
enum ClusterArguments {
    static func metas(_ text: String, option: String = "--meta") throws -> [Endpoint] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { throw ValidationError("\(option): give at least one host:port") }
        do {
            return try parts.map { try Endpoint(parsing: $0) }
        } catch {
            throw ValidationError("\(option): \(error)")
        }
    }

    static func backup(_ text: String) throws -> ClusterRoute {
        let parts = text.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw ValidationError("--backup: expected NAME=host:port,... got \"\(text)\"")
        }
        return ClusterRoute(name: String(parts[0]), metas: try metas(String(parts[1]), option: "--backup \(parts[0])"))
    }
}

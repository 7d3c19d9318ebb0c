import FailoverPolicy
import Logging
import PegasusWire
import RouteModel
import Router

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The file a single instance on a routes file keeps its effective routes in (`failover.state_file`),
/// so a restart resumes where it stopped (a table failed over stays on its backup until the policy
/// or an operator moves it back).
///
/// The file is a JSON array of ``EffectiveRoute`` documents, replaced atomically (write a temporary
/// file, rename) after every decision. A file that cannot be read as that array is moved aside to
/// `<file>.bad-<unix time>` and the instance starts with every table on its primary.
struct LocalFailoverStateFile: Sendable {
    /// The file's path.
    let path: String

    /// Reads the documents; moves an unreadable or malformed file aside and returns none.
    func load(logger: Logger) -> [EffectiveRoute] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let documents = try FailoverJSON.makeDecoder().decode([EffectiveRoute].self, from: data)
            logger.info(
                "Failover state restored",
                metadata: ["metaproxy.state_file": "\(path)", "metaproxy.tables": "\(documents.count)"])
            return documents
        } catch {
            let aside = "\(path).bad-\(Int(Date().timeIntervalSince1970))"
            let moved = (try? FileManager.default.moveItem(atPath: path, toPath: aside)) != nil
            logger.error(
                "Failover state file unreadable: every table starts on its primary",
                metadata: [
                    "metaproxy.state_file": "\(path)", "error": "\(error)",
                    "metaproxy.moved_to": "\(moved ? aside : "(not moved)")",
                ])
            return []
        }
    }

    /// Replaces the file with `documents`.
    /// - Throws: The encoding or file-system error.
    func save(_ documents: [EffectiveRoute]) throws {
        let data = try FailoverJSON.makeEncoder().encode(documents.sorted { $0.table < $1.table })
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

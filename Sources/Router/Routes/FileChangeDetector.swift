import Foundation
import PegasusWire

/// Tells whether a file's content changed since it was last read: cheaply by its modification time, size
/// and inode, and for certain by a hash of its content.
///
/// The content is read and hashed when the status changed, and also while the modification time is so
/// recent that a second write in the same file system timestamp tick could have gone unseen (git's
/// "racily clean" rule). Not thread-safe.
struct FileChangeDetector {
    /// What `stat` says about the file.
    struct Status: Equatable {
        var modified: Date?
        var size: UInt64?
        var inode: UInt64?
    }

    /// A modification time closer than this to the last read means "may have changed unseen".
    private static let racyWindow: TimeInterval = 2

    /// The file's path.
    let path: String
    private var lastStatus: Status?
    private var lastReadAt: Date?
    private var lastHash: UInt64?

    /// Creates a detector that has not read the file yet (the first check reports the content as changed).
    init(path: String) {
        self.path = path
    }

    /// The file's contents if they differ from the last contents this detector returned, else `nil`.
    /// - Throws: The file system's error when the file cannot be examined or read.
    mutating func changedContents() throws -> [UInt8]? {
        let status = try Self.status(of: path)
        if status == lastStatus, !isRacy(status) {
            return nil
        }
        let now = Date()
        let contents = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let hash = ContentHash.fnv1a(contents)
        lastStatus = status
        lastReadAt = now
        guard hash != lastHash else { return nil }
        lastHash = hash
        return contents
    }

    private func isRacy(_ status: Status) -> Bool {
        guard let modified = status.modified, let lastReadAt else { return true }
        return modified.timeIntervalSince(lastReadAt) > -Self.racyWindow
    }

    private static func status(of path: String) throws -> Status {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return Status(
            modified: attributes[.modificationDate] as? Date,
            size: unsigned(attributes[.size]),
            inode: unsigned(attributes[.systemFileNumber])
        )
    }

    private static func unsigned(_ value: Any?) -> UInt64? {
        switch value {
        case let number as UInt64: number
        case let number as Int: UInt64(clamping: number)
        case let number as Int64: UInt64(clamping: number)
        case let number as UInt: UInt64(number)
        case let number as NSNumber: number.uint64Value
        default: nil
        }
    }
}

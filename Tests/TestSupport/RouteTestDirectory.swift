import Foundation

/// A fresh temporary directory, removed by ``remove()``.
public struct RouteTestDirectory: Sendable {
    /// The directory.
    public let path: String

    /// Creates a fresh directory under the temporary directory.
    public init() throws {
        path = NSTemporaryDirectory() + "/router-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` atomically and returns the file's path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        return file
    }

    /// Deletes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

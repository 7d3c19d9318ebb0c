import Foundation

/// Invariant checks of the fuzz targets. A failed check prints what broke and aborts, which libFuzzer
/// reports as a crash and saves the input for.
enum FuzzCheck {
    /// Aborts unless `condition` holds.
    static func that(_ condition: Bool, _ message: @autoclosure () -> String) {
        guard !condition else { return }
        fail(message())
    }

    /// Prints `message` and aborts.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("fuzz invariant broken: \(message)\n".utf8))
        abort()
    }
}

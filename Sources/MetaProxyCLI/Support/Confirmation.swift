import ArgumentParser
import Foundation
import MetaProxyApp

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--yes`: skips the confirmation prompt of a risky action (`--force`, `--planned`).
struct ConfirmationOptions: ParsableArguments {
    @Flag(help: "Do not ask for confirmation of --force or --planned (needed when stdin is not a terminal).")
    var yes = false

    /// Asks the operator to confirm `action` on the terminal unless `--yes` was given.
    /// - Throws: ``CommandError`` (kind refused, exit 75) when stdin is not a terminal or the answer is
    ///   not yes; nothing has been changed then.
    func confirm(_ action: String) throws {
        guard !yes else { return }
        guard isatty(STDIN_FILENO) == 1 else {
            throw CommandError("\(action): confirmation needed and stdin is not a terminal; pass --yes", kind: .refused)
        }
        FileHandle.standardError.write(Data("\(action). Proceed? [y/N] ".utf8))
        let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard Self.isYes(answer) else {
            throw CommandError("\(action): not confirmed; nothing changed", kind: .refused)
        }
    }

    /// Whether `answer` confirms (`y`, `yes`).
    static func isYes(_ answer: String) -> Bool {
        ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }
}

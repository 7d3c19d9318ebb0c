/// A command failure with a message for the operator: the command-line tool prints it as
/// `Error: <description>` (or `{"error": {...}}` under `--json`) and exits with ``kind``'s status.
public struct CommandError: Error, CustomStringConvertible, Sendable {
    /// The message.
    public var description: String
    /// What kind of failure (the exit status).
    public var kind: CommandFailure.Kind

    /// A failure with `description` as its message.
    public init(_ description: String, kind: CommandFailure.Kind = .failed) {
        self.description = description
        self.kind = kind
    }
}

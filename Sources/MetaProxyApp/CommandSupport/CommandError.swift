/// A command failure with a message for the operator: the command-line tool prints it as
/// `Error: <description>` and exits with status 1.
public struct CommandError: Error, CustomStringConvertible, Sendable {
    /// The message.
    public var description: String

    /// A failure with `description` as its message.
    public init(_ description: String) { self.description = description }
}

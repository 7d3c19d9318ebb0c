import MetaProxyApp
import Router

/// Checks a table name given on the command line before anything is contacted.
enum TableArgument {
    /// - Throws: ``CommandError`` (invalid input, exit 65) naming the table and the allowed characters.
    static func check(_ table: String) throws {
        guard RouteAdmin.isValidTableName(table) else {
            throw CommandError(
                "\"\(table)\" is not a valid table name (1 to 256 of letters, digits, _ . - :)", kind: .invalidInput)
        }
    }
}

import MetaProxyApp
import RouteModel
import FailoverControl
import PegasusWire

/// A command failure with a message for the operator (printed by ArgumentParser as `Error: ...`).
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

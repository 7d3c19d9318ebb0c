import PegasusWire
import RouteModel
import TestSupport

/// A route JSON in the RFC layout.
func rfcRoute(_ cluster: String, _ metas: [String]) -> String {
    "{\"cluster\":\"\(cluster)\",\"meta-addrs\":[\(metas.map { "\"\($0)\"" }.joined(separator: ","))]}"
}

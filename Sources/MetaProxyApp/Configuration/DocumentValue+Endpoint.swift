import PegasusWire
import RouteModel
import Router

extension DocumentValue {
    /// This value as a "host:port" string.
    func hostPort(allowsPortZero: Bool) throws(DocumentError) -> Endpoint {
        let text = try string()
        do throws(AddressParseError) {
            return try Endpoint(parsing: text, allowsPortZero: allowsPortZero)
        } catch {
            throw self.error(error.description)
        }
    }
}

import Foundation

/// JSON text of the operator commands and the admin endpoints: sorted keys, `/` not escaped.
public enum CommandJSON {
    /// `value` (a `JSONSerialization` object) as one line of JSON; `{}` if it cannot be serialized.
    public static func render(_ value: Any, pretty: Bool = false) -> String {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        guard JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(withJSONObject: value, options: options)
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

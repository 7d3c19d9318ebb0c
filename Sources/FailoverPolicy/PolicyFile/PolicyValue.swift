/// A YAML value from a policy file, as handed to custom kinds for the keys they declare in
/// ``FailoverPolicyKind/acceptedKeys``.
public enum PolicyValue: Hashable, Sendable {
    /// A scalar, exactly as written (quotes removed). Numbers and booleans are scalars too.
    case scalar(String)
    /// A YAML sequence.
    case list([PolicyValue])
    /// A YAML mapping; non-string keys are converted to their text.
    case map([String: PolicyValue])

    /// The scalar text, or `nil` for lists and maps.
    public var scalar: String? {
        if case .scalar(let text) = self {
            return text
        }
        return nil
    }

    /// The value under `key` when this is a map.
    public subscript(key: String) -> PolicyValue? {
        if case .map(let entries) = self {
            return entries[key]
        }
        return nil
    }
}

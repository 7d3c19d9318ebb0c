import PegasusWire

/// The entries of a mapping, looked up by key; `null` values count as absent.
public struct DocumentMapping {
    /// The path of the mapping itself.
    public let path: String
    /// The entries in document order.
    public let entries: [DocumentEntry]

    /// The value for `key`, or `nil` when the key is absent or null.
    public subscript(key: String) -> DocumentValue? {
        guard let value = entries.first(where: { $0.key == key })?.value else { return nil }
        if case .null = value.kind { return nil }
        return value
    }

    /// The value of whichever of `synonyms` is present; two synonyms at once are an error.
    public func value(anyOf synonyms: [String]) throws(DocumentError) -> DocumentValue? {
        let present = synonyms.compactMap { self[$0] }
        guard present.count <= 1 else {
            throw DocumentError(
                kind: .invalidValue,
                path: path,
                message: "keys \(synonyms.map(\.diagnosticQuoted).joined(separator: " and ")) mean the same; give one"
            )
        }
        return present.first
    }

    /// The value of whichever of `synonyms` is present, or an error naming the first synonym.
    public func required(anyOf synonyms: [String]) throws(DocumentError) -> DocumentValue {
        guard let value = try value(anyOf: synonyms) else {
            throw DocumentError(
                kind: .invalidValue,
                path: path,
                message: "missing key \(synonyms.map(\.diagnosticQuoted).joined(separator: " or "))"
            )
        }
        return value
    }
}

/// One key and value of a mapping.
public struct DocumentEntry {
    /// The key.
    public let key: String
    /// The value; its path ends with the key.
    public let value: DocumentValue
}

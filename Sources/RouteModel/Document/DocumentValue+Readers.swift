import PegasusWire

extension DocumentValue {
    /// "a list", "a mapping", "null" or the quoted text: what was found, for error messages.
    public var foundDescription: String {
        switch kind {
        case .null: "null"
        case .string(let text): text.diagnosticQuoted
        case .scalar(let text): text
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }

    /// An error at this value's path.
    public func error(_ message: String) -> DocumentError {
        DocumentError(kind: .invalidValue, path: path, message: message)
    }

    /// An "expected …, got …" error at this value's path.
    public func mismatch(expected: String) -> DocumentError {
        error("expected \(expected), got \(foundDescription)")
    }

    /// This value as a mapping.
    /// - Parameter knownKeys: The keys the caller reads; any other key is an error. `nil` accepts any key.
    public func mapping(knownKeys: Set<String>? = nil) throws(DocumentError) -> DocumentMapping {
        guard case .mapping(let entries) = kind else { throw mismatch(expected: "a mapping") }
        if let knownKeys {
            for entry in entries where !knownKeys.contains(entry.key) {
                throw DocumentError(
                    kind: .unknownKey,
                    path: entry.value.path,
                    message: "unknown key (known keys: \(knownKeys.sorted().joined(separator: ", ")))"
                )
            }
        }
        return DocumentMapping(path: path, entries: entries)
    }

    /// This value as a list.
    public func sequence() throws(DocumentError) -> [DocumentValue] {
        guard case .sequence(let items) = kind else { throw mismatch(expected: "a list") }
        return items
    }

    /// This value as non-empty text (a JSON number is not text).
    public func string() throws(DocumentError) -> String {
        guard case .string(let text) = kind else { throw mismatch(expected: "a string") }
        guard !text.isEmpty else { throw mismatch(expected: "a non-empty string") }
        return text
    }

    /// This value as an integer in `range`.
    /// - Parameter expectation: How to describe the range in the error, e.g. "a positive integer".
    public func integer(in range: ClosedRange<Int>, expectation: String) throws(DocumentError) -> Int {
        let text: String
        switch kind {
        case .string(let string), .scalar(let string): text = string
        default: throw mismatch(expected: expectation)
        }
        guard let value = Int(text), range.contains(value) else { throw mismatch(expected: expectation) }
        return value
    }

    /// This value as a boolean (`true`/`false`, also YAML 1.1's `yes`/`no`/`on`/`off`).
    public func bool() throws(DocumentError) -> Bool {
        let text: String
        switch kind {
        case .string(let string), .scalar(let string): text = string.lowercased()
        default: throw mismatch(expected: "true or false")
        }
        switch text {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw mismatch(expected: "true or false")
        }
    }

    /// This value as a list of non-empty text items: either a list of strings or one comma-separated string.
    ///
    /// Items of a comma-separated string are trimmed of spaces and get the paths `path[0]`, `path[1]`…
    /// so errors point at the item. An empty list, or an empty item, is an error.
    public func stringList() throws(DocumentError) -> [DocumentValue] {
        var items: [DocumentValue] = []
        switch kind {
        case .string(let joined):
            let parts = joined.split(separator: ",", omittingEmptySubsequences: false)
            for (index, part) in parts.enumerated() {
                let item = DocumentValue(kind: .string(part.trimmingSpaces()), path: Self.path(path, index: index))
                guard !part.trimmingSpaces().isEmpty else { throw item.error("empty item") }
                items.append(item)
            }
        case .sequence(let values):
            for value in values {
                _ = try value.string()
                items.append(value)
            }
        default:
            throw mismatch(expected: "a list of strings")
        }
        guard !items.isEmpty else { throw error("empty list") }
        return items
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

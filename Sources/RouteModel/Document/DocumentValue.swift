import Foundation
import PegasusWire

import Yams

/// A value of a YAML or JSON document together with the key path where it was found, with readers that
/// throw ``DocumentError``s naming that path.
///
/// YAML scalars are all kept as text (their meaning depends on the key that reads them); JSON strings are
/// strings and the other JSON scalars (numbers, booleans) are `.scalar` so a number is not taken for a name.
public struct DocumentValue {
    /// The shape of the value.
    public enum Kind {
        /// YAML `~` / `null` / empty, or JSON `null`.
        case null
        /// A YAML scalar or a JSON string.
        case string(String)
        /// A JSON number or boolean, as text.
        case scalar(String)
        /// A list.
        case sequence([DocumentValue])
        /// A mapping, in document order (JSON objects: sorted by key).
        case mapping([DocumentEntry])
    }

    /// The shape of the value.
    public let kind: Kind
    /// The key path, e.g. `tables.t1.meta_addrs[0]`; empty for the document root.
    public let path: String

    /// Parses a YAML document. Returns `nil` for an empty document.
    ///
    /// The errors name line and column but never echo the document, which may hold secrets.
    public static func parseYAML(_ text: String) throws(DocumentError) -> DocumentValue? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw DocumentError(kind: .syntax, path: "", message: "invalid YAML: \(Self.summary(of: error))")
        } catch {
            throw DocumentError(kind: .syntax, path: "", message: "invalid YAML")
        }
        guard let root else { return nil }
        return try DocumentValue(yaml: root, path: "")
    }

    /// The deepest nesting of JSON arrays and objects accepted (route documents need 4).
    public static let maximumJSONDepth = 32

    /// Parses a JSON document whose top level is an object or an array.
    ///
    /// Documents nested deeper than ``maximumJSONDepth`` are rejected before parsing, so hostile input
    /// cannot exhaust the stack.
    public static func parseJSON(_ data: Data) throws(DocumentError) -> DocumentValue {
        guard jsonDepth(data) <= maximumJSONDepth else {
            throw DocumentError(kind: .syntax, path: "", message: "JSON nested deeper than \(maximumJSONDepth) levels")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw DocumentError(kind: .syntax, path: "", message: "invalid JSON")
        }
        return DocumentValue(json: object, path: "")
    }

    public init(kind: Kind, path: String) {
        self.kind = kind
        self.path = path
    }

    private init(yaml node: Node, path: String) throws(DocumentError) {
        switch node {
        case .scalar(let scalar):
            self.init(kind: node.null != nil ? .null : .string(scalar.string), path: path)
        case .sequence(let sequence):
            var items: [DocumentValue] = []
            for (index, item) in sequence.enumerated() {
                items.append(try DocumentValue(yaml: item, path: Self.path(path, index: index)))
            }
            self.init(kind: .sequence(items), path: path)
        case .mapping(let mapping):
            var entries: [DocumentEntry] = []
            var seen: Set<String> = []
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    throw DocumentError(kind: .invalidValue, path: path, message: "mapping keys must be plain text")
                }
                let key = keyScalar.string
                let childPath = Self.path(path, key: key)
                guard seen.insert(key).inserted else {
                    throw DocumentError(kind: .invalidValue, path: childPath, message: "duplicate key")
                }
                entries.append(DocumentEntry(key: key, value: try DocumentValue(yaml: valueNode, path: childPath)))
            }
            self.init(kind: .mapping(entries), path: path)
        case .alias:
            throw DocumentError(kind: .invalidValue, path: path, message: "YAML aliases are not supported")
        }
    }

    private init(json object: Any, path: String) {
        switch object {
        case let string as String:
            self.init(kind: .string(string), path: path)
        case let array as [Any]:
            let items = array.enumerated().map { DocumentValue(json: $1, path: Self.path(path, index: $0)) }
            self.init(kind: .sequence(items), path: path)
        case let dictionary as [String: Any]:
            let entries = dictionary.keys.sorted().compactMap { key in
                dictionary[key].map {
                    DocumentEntry(key: key, value: DocumentValue(json: $0, path: Self.path(path, key: key)))
                }
            }
            self.init(kind: .mapping(entries), path: path)
        case is NSNull:
            self.init(kind: .null, path: path)
        default:
            self.init(kind: .scalar(String(describing: object)), path: path)
        }
    }

    /// The deepest nesting of `[` and `{` outside JSON strings (an upper bound for malformed text).
    private static func jsonDepth(_ data: Data) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in data {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
            default:
                break
            }
        }
        return deepest
    }

    /// The path of a mapping entry below `path`.
    public static func path(_ path: String, key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The path of a list item below `path`.
    public static func path(_ path: String, index: Int) -> String {
        "\(path)[\(index)]"
    }

    private static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text), " } ?? ""
            return "line \(mark.line) column \(mark.column): \(prefix)\(problem)"
        case .reader(let problem, _, _, _):
            return problem
        case .duplicatedKeysInMapping(let duplicates, let context):
            return "line \(context.mark.line): duplicate keys \(duplicates.sorted().joined(separator: ", "))"
        default:
            return "unreadable document"
        }
    }
}

import PegasusWire
import RouteModel
import Router

/// Orders election nodes (`n_<10-digit sequence>`) by their sequence number.
enum ElectionOrder {
    /// Where a node stands among the election's children.
    enum Position: Equatable {
        /// Lowest sequence: the decider.
        case first
        /// Behind `predecessor`, the node with the next lower sequence.
        case after(predecessor: String)
        /// Not among the children.
        case missing
    }

    /// The name prefix of election nodes (the last component of ``FailoverPaths/electionNodePrefix``).
    static let prefix = "n_"

    /// The sequence number of an election node name, or `nil` for names that are not election nodes.
    static func sequence(of name: String) -> Int64? {
        guard name.hasPrefix(prefix) else { return nil }
        let digits = name.dropFirst(prefix.count)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(digits)
    }

    /// The election nodes among `children`, lowest sequence first (other names are left out).
    static func sorted(_ children: [String]) -> [String] {
        children.compactMap { name in sequence(of: name).map { (name, $0) } }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .map(\.0)
    }

    /// Where `node` stands among `children`.
    static func position(of node: String, among children: [String]) -> Position {
        let ordered = sorted(children)
        guard let index = ordered.firstIndex(of: node) else { return .missing }
        return index == 0 ? .first : .after(predecessor: ordered[index - 1])
    }
}

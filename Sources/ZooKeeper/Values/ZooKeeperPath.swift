/// The node paths the C client accepts (its `isValidPath`), checked before a request is built.
enum ZooKeeperPath {
    /// What a valid path looks like, for error details.
    static let rules =
        "paths are absolute, without empty, \".\" or \"..\" components, a trailing \"/\" (except a sequential create's) or control characters"

    /// Whether the C client accepts `path`: absolute; no `//`; no `.` or `..` component; no trailing
    /// `/` unless `sequential` (the server appends the sequence number); no byte 0x00–0x1e.
    static func isValid(_ path: String, sequential: Bool) -> Bool {
        let bytes = Array(path.utf8)
        guard bytes.first == UInt8(ascii: "/") else { return false }
        if bytes.count == 1 { return true }
        if bytes.last == UInt8(ascii: "/"), !sequential { return false }
        var componentStart = 1
        for index in 1...bytes.count {
            let atEnd = index == bytes.count
            if !atEnd, bytes[index] < 0x1f { return false }
            guard atEnd || bytes[index] == UInt8(ascii: "/") else { continue }
            let component = bytes[componentStart..<index]
            // An empty component is a `//` (a trailing `/` ends in one only when it is allowed).
            if component.isEmpty, !atEnd { return false }
            // "." and ".." are refused, except as the last component of a sequential create.
            if component.elementsEqual([UInt8(ascii: ".")]) || component.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]),
                !(atEnd && sequential)
            {
                return false
            }
            componentStart = index + 1
        }
        return true
    }
}

extension CreateMode {
    /// Whether the server appends a sequence number to the path.
    var isSequential: Bool { self == .persistentSequential || self == .ephemeralSequential }
}

extension ZooKeeperOperation {
    /// Whether this is a create of a sequential node (whose path may end in `/`).
    var isSequentialCreate: Bool {
        if case .create(_, _, let mode, _) = self { return mode.isSequential }
        return false
    }
}

/// One entry of a policy's `tables:` list: an exact table name or a glob (`*` any run, `?` one character).
struct TablePattern: Hashable, Sendable {
    private enum Token: Hashable, Sendable {
        case literal(Character)
        case anyCharacter
        case anyRun

        /// Whether some single character can be matched by both tokens.
        func sharesCharacter(with other: Token) -> Bool {
            if case .literal(let mine) = self, case .literal(let theirs) = other {
                return mine == theirs
            }
            return true
        }
    }

    /// The text as written in the file.
    let text: String
    private let tokens: [Token]

    init(_ text: String) {
        self.text = text
        tokens = text.map { character in
            switch character {
            case "*": .anyRun
            case "?": .anyCharacter
            default: .literal(character)
            }
        }
    }

    /// A pattern matching exactly `name`, wildcard characters included.
    private init(literal name: String) {
        text = name
        tokens = name.map { .literal($0) }
    }

    /// No wildcard: an exact table name.
    var isExact: Bool {
        literalCount == tokens.count
    }

    /// The number of literal (non-wildcard) characters: a glob's specificity.
    var literalCount: Int {
        tokens.count { if case .literal = $0 { true } else { false } }
    }

    /// Whether `table` matches this pattern.
    func matches(_ table: String) -> Bool {
        overlaps(TablePattern(literal: table))
    }

    /// Whether some table name matches both patterns.
    ///
    /// A search over position pairs `(i, j)`: `*` may match nothing (advance past it alone),
    /// or both sides consume one common character (a `*` stays in place when it consumes).
    func overlaps(_ other: TablePattern) -> Bool {
        let mine = tokens
        let theirs = other.tokens
        var pending = [(0, 0)]
        var visited = Set<[Int]>()
        while let (i, j) = pending.popLast() {
            guard visited.insert([i, j]).inserted else {
                continue
            }
            if i == mine.count && j == theirs.count {
                return true
            }
            if i < mine.count, mine[i] == .anyRun {
                pending.append((i + 1, j))
            }
            if j < theirs.count, theirs[j] == .anyRun {
                pending.append((i, j + 1))
            }
            guard i < mine.count, j < theirs.count, mine[i].sharesCharacter(with: theirs[j]) else {
                continue
            }
            let next = (mine[i] == .anyRun ? i : i + 1, theirs[j] == .anyRun ? j : j + 1)
            if next != (i, j) {
                pending.append(next)
            }
        }
        return false
    }
}

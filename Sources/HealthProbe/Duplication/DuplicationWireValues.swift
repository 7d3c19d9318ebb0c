import PegasusWire

// The prober's duplication vocabulary is PegasusWire's (`DuplicationEntry`, `DuplicationStatus`,
// `DuplicationFailMode`, `DuplicationPartitionState`, `Gpid`). The MetaServer's HTTP JSON spells the two
// enums by IDL name; these extensions map names to wire values and back.

extension DuplicationStatus {
    /// The value of an IDL name as the HTTP JSON spells it (`DS_LOG`, …).
    ///
    /// `DS_UNKNOWN_<n>` (how ``idlName`` spells a value without a name) maps back to `n`; any other
    /// name this code does not know maps to `-1`, a value no Pegasus release uses: it is not
    /// ``removed``, and ``idlName`` spells it `DS_UNKNOWN_-1`.
    /// - Parameter idlName: The name.
    public init(idlName: String) {
        self.init(rawValue: idlValue(idlName, names: Self.names, unknownPrefix: "DS_UNKNOWN_"))
    }

    /// The IDL name, e.g. `DS_LOG`; `DS_UNKNOWN_<n>` for a value without a name.
    public var idlName: String { Self.names[rawValue] ?? "DS_UNKNOWN_\(rawValue)" }
}

extension DuplicationFailMode {
    /// The value of an IDL name as the HTTP JSON spells it (`FAIL_SLOW`, …).
    ///
    /// `FAIL_UNKNOWN_<n>` (how ``idlName`` spells a value without a name) maps back to `n`; any other
    /// name this code does not know maps to `-1`, a value no Pegasus release uses (spelled
    /// `FAIL_UNKNOWN_-1`).
    /// - Parameter idlName: The name.
    public init(idlName: String) {
        self.init(rawValue: idlValue(idlName, names: Self.names, unknownPrefix: "FAIL_UNKNOWN_"))
    }

    /// The IDL name, e.g. `FAIL_SLOW`; `FAIL_UNKNOWN_<n>` for a value without a name.
    public var idlName: String { Self.names[rawValue] ?? "FAIL_UNKNOWN_\(rawValue)" }
}

/// The wire value of `name` in `names`, or the `n` of `<unknownPrefix><n>`, else `-1`.
private func idlValue(_ name: String, names: [Int32: String], unknownPrefix: String) -> Int32 {
    if let known = names.first(where: { $0.value == name }) {
        return known.key
    }
    if name.hasPrefix(unknownPrefix), let value = Int32(name.dropFirst(unknownPrefix.count)) {
        return value
    }
    return -1
}

extension DuplicationPartitionState {
    /// `lastCommittedDecree - confirmedDecree`, floored at 0; `nil` when either is `-1` (unknown).
    public var lag: Int64? {
        guard self.confirmedDecree >= 0, self.lastCommittedDecree >= 0 else { return nil }
        return max(0, self.lastCommittedDecree - self.confirmedDecree)
    }
}

extension Gpid {
    /// Parses `"<app_id>.<pidx>"` (the keys of `/replica/duplication`); `nil` when malformed.
    /// - Parameter text: The text form.
    init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let appId = Int32(parts[0]), let index = Int32(parts[1]) else { return nil }
        self.init(appId: appId, partitionIndex: index)
    }
}

/// rDSN `fast_code`: a process-local task or error code number and the `[core] local_hash` of the
/// process that wrote it (docs/protocol.md, "RDSN native frames").
///
/// A receiver uses `localCode` only when `localHash` is non-zero and equals its own `local_hash`;
/// otherwise it looks the code up by name (`rpc_name`, `server.error_name`). `local_hash` is 0 by
/// default, so in practice the names decide; a proxy writes `.byName` (all zero) so they always do.
public struct RdsnFastCode: Hashable, Sendable {
    /// `local_code`: the code's number in the writing process.
    public var localCode: UInt32
    /// `local_hash`: the writer's `[core] local_hash`.
    public var localHash: UInt32

    /// Both zero: the receiver must look the code up by name.
    public static let byName = RdsnFastCode(localCode: 0, localHash: 0)

    /// Creates a fast code.
    public init(localCode: UInt32, localHash: UInt32) {
        self.localCode = localCode
        self.localHash = localHash
    }
}

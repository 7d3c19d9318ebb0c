/// Whether an encoded `RDSN` frame carries CRCs (docs/protocol.md, "RDSN native frames").
///
/// rDSN computes them only for RPC codes configured with `rpc_message_crc_required = true` (off by
/// default); a receiver checks each CRC field only when it is non-zero, so both forms are accepted
/// by every rDSN peer.
public enum RdsnChecksums: Hashable, Sendable {
    /// `hdr_crc32` and `body_crc32` both 0: what rDSN sends by default.
    case none
    /// `body_crc32` = CRC-32C of the body, then `hdr_crc32` = CRC-32C of the 192 header bytes with
    /// `hdr_crc32` zero (and `body_crc32` already filled in): what rDSN sends with
    /// `rpc_message_crc_required = true`.
    case compute
}

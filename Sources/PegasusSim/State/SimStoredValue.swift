/// A value in a simulated replica's key-value store.
struct SimStoredValue: Sendable {
    /// The value bytes.
    var value: [UInt8]
    /// Expiry in seconds since 2016-01-01 00:00:00 UTC (Pegasus epoch); 0 = never.
    var expireTimestamp: Int32
}

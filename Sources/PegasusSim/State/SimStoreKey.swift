/// The key of a simulated replica's key-value store: the table and the raw key blob
/// (hash key length, hash key, sort key, as the client builds it).
struct SimStoreKey: Hashable, Sendable {
    /// App id of the table.
    var appId: Int32
    /// The raw key blob.
    var key: [UInt8]
}

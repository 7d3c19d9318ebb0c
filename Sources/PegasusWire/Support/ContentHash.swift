/// Content hashes for change detection (files, policy directories).
public enum ContentHash {
    /// 64-bit FNV-1a: a stable, fast content hash (not cryptographic; a collision only delays a reload).
    public static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }
}

import PegasusWire

/// One key and value of a mapping.
public struct DocumentEntry {
    /// The key.
    public let key: String
    /// The value; its path ends with the key.
    public let value: DocumentValue
}

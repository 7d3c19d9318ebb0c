/// One key and value of a mapping.
struct DocumentEntry {
    /// The key.
    let key: String
    /// The value; its path ends with the key.
    let value: DocumentValue
}

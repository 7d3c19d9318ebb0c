/// Logger metadata keys of this module.
enum LoggingKeys {
    /// The policy directory.
    static let policyDirectory = "metaproxy.policy.directory"
    /// The file an error is in.
    static let policyFile = "metaproxy.policy.file"
    /// The number of policies loaded.
    static let policyCount = "metaproxy.policy.count"
}

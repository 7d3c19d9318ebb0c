/// Why a load run could not start or finish.
struct LoadError: Error, CustomStringConvertible {
    /// What went wrong.
    struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        /// A command-line value is invalid.
        static let badArgument = Code(name: "bad argument")
        /// Connecting to the target failed.
        static let connectFailed = Code(name: "connect failed")
        /// Writing the JSON report failed.
        static let reportFailed = Code(name: "report failed")
        var description: String { name }
    }

    /// What went wrong.
    var code: Code
    /// The option, address or file concerned.
    var subject: String
    /// Details.
    var detail: String

    init(_ code: Code, subject: String, detail: String) {
        self.code = code
        self.subject = subject
        self.detail = detail
    }

    var description: String { "\(code) (\(subject)): \(detail)" }
}

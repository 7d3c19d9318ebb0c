import FailoverControl
import Foundation
import FailoverPolicy
import NIOCore
import RouteModel
import Router
import ZooKeeper

/// How an operator command failed: the exit status, a stable code for `--json`, and one line for people.
///
/// Exit statuses follow sysexits(3) (documented in README.md and `meta-proxy --help`):
///
/// | status | kind | when |
/// |---|---|---|
/// | 0 | | success |
/// | 1 | ``Kind/failed`` | any other failure (e.g. a planned switchover step) |
/// | 2 | | `query`: the server answered with an error code (e.g. `ERR_OBJECT_NOT_FOUND`) |
/// | 64 | ``Kind/usage`` | bad command line (unknown option, missing argument) |
/// | 65 | ``Kind/invalidInput`` | invalid input: table name, route, config or policy file |
/// | 66 | ``Kind/notFound`` | no route (or node) for the table |
/// | 69 | ``Kind/unavailable`` | ZooKeeper or the MetaServers cannot be reached |
/// | 75 | ``Kind/refused`` | refused: guard check, concurrent change, not confirmed; retry later |
/// | 77 | ``Kind/permissionDenied`` | ZooKeeper ACL or authentication refused the request |
public struct CommandFailure: Sendable, Equatable {
    /// The kinds of failure, each with its exit status.
    public enum Kind: String, Sendable, CaseIterable {
        case failed
        case usage
        case invalidInput = "invalid_input"
        case notFound = "not_found"
        case unavailable
        case refused
        case conflict
        case permissionDenied = "permission_denied"

        /// The process exit status.
        public var exitStatus: Int32 {
            switch self {
            case .failed: 1
            case .usage: 64
            case .invalidInput: 65
            case .notFound: 66
            case .unavailable: 69
            case .refused, .conflict: 75
            case .permissionDenied: 77
            }
        }
    }

    /// The kind.
    public var kind: Kind
    /// One line for people.
    public var message: String

    /// A failure.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = CommandFailure.oneLine(message)
    }

    /// The exit status.
    public var exitStatus: Int32 { kind.exitStatus }

    /// `{"error":{"code":"<kind>","exit_status":<n>,"message":"<message>"}}`, one line.
    public var json: String {
        CommandJSON.render(["error": ["code": kind.rawValue, "exit_status": Int(exitStatus), "message": message]])
    }

    /// The failure `error` (thrown by a command's action) stands for.
    public static func classify(_ error: any Error) -> CommandFailure {
        switch error {
        case let error as CommandError:
            return CommandFailure(kind: error.kind, message: error.description)
        case let error as RouteError:
            let kind: Kind =
                switch error.code {
                case .unknownTable: .notFound
                case .sourceUnavailable: .unavailable
                default: .invalidInput
                }
            return CommandFailure(kind: kind, message: "\(error)")
        case let error as RouteAdmin.Failure:
            return CommandFailure(kind: error.code == .conflict ? .conflict : .invalidInput, message: error.description)
        case let error as FailoverAdminError:
            return CommandFailure(kind: kind(of: error), message: error.description)
        case let error as ZooKeeperError:
            return CommandFailure(kind: kind(of: error), message: "ZooKeeper: \(describe(error))")
        case let error as ConfigError:
            return CommandFailure(kind: .invalidInput, message: error.description)
        case let error as PolicyError:
            return CommandFailure(kind: .invalidInput, message: error.description)
        case let error as UpstreamError:
            return CommandFailure(kind: .unavailable, message: describe(error))
        default:
            return CommandFailure(kind: .failed, message: describe(error))
        }
    }

    private static func kind(of error: FailoverAdminError) -> Kind {
        switch error.code {
        case .unknownTable: .notFound
        case .refused: .refused
        case .conflict: .conflict
        case .malformedNode, .invalidArgument: .invalidInput
        case .metaRPC: .unavailable
        case .zooKeeper:
            error.message.contains("no auth") || error.message.contains("not authenticated") ? .permissionDenied : .unavailable
        default: .failed
        }
    }

    private static func kind(of error: ZooKeeperError) -> Kind {
        switch error.code {
        case .noNode: .notFound
        case .noAuth, .authFailed: .permissionDenied
        case .connectionLoss, .sessionExpired, .operationTimeout, .closing: .unavailable
        case .badVersion, .nodeExists, .notEmpty: .conflict
        default: .failed
        }
    }

    /// `<detail> (<code name>)[, node <path>]`: `no session with zk1:2181 within 10.0 seconds (operation timeout)`.
    public static func describe(_ error: ZooKeeperError) -> String {
        let code = "\(error.code)"
        let name = code.firstIndex(of: ":").map { String(code[code.index(after: $0)...]).trimmingCharacters(in: .whitespaces) } ?? code
        var text = error.detail.map { "\($0) (\(name))" } ?? name
        if let path = error.path { text += ", node \(path)" }
        return text
    }

    /// One line for any error: connection failures as `cannot connect to <address>: <OS error>`.
    public static func describe(_ error: any Error) -> String {
        if let error = error as? ZooKeeperError {
            return describe(error)
        }
        if let error = error as? UpstreamError {
            return describe(error)
        }
        if let text = ConnectionErrorText.describe(anyConnectionError: error) {
            return text
        }
        return oneLine("\(error)")
    }

    /// `cannot connect to <meta>: <OS error>` for a connect failure, else the error's own words.
    static func describe(_ error: UpstreamError) -> String {
        switch error.code {
        case .allMetasFailed:
            return oneLine("no MetaServer answered: \(error.detail)")
        default:
            return oneLine(error.description)
        }
    }

    /// `text` on one line: newlines and runs of spaces folded.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}

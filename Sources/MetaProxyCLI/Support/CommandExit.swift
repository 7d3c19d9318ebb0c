import ArgumentParser
import Foundation
import MetaProxyApp

/// How a failed command ends: one line on stderr (`Error: <what failed>`), or under `--json` a JSON
/// error on stdout, and a sysexits-style status (``CommandFailure/Kind/exitStatus``).
enum CommandExit {
    /// The exit-status table shown by `meta-proxy --help` (also in README.md).
    static let helpText = """
        Exit status: 0 ok; 1 failed (other); 2 query: the server answered an error; 64 usage (bad \
        command line); 65 invalid input (table name, route, config or policy file); 66 not found (no \
        route for the table); 69 unavailable (ZooKeeper or MetaServers unreachable); 75 refused (guard, \
        concurrent change, not confirmed; retry later); 77 permission denied (ZooKeeper ACL). With --json \
        a failure prints {"error": {"code": ..., "exit_status": ..., "message": ...}} on stdout.

        Shell completion: meta-proxy --generate-completion-script bash|zsh|fish (see README.md).
        """

    /// Exits for an error thrown while parsing the command line: help and completion requests as
    /// ArgumentParser does; a usage error as JSON under `--json`.
    static func exitForParseError(_ error: any Error, json: Bool) -> Never {
        let code = MetaProxyCommand.exitCode(for: error)
        guard json, code != .success else {
            MetaProxyCommand.exit(withError: error)
        }
        let failure = CommandFailure(kind: .usage, message: MetaProxyCommand.message(for: error))
        finish(failure, json: true)
    }

    /// Exits for an error thrown by a command's action.
    static func exit(for error: any Error, json: Bool) -> Never {
        switch error {
        case let error as ExitCode:
            Foundation.exit(error.rawValue)
        case _ where isArgumentParserError(error):
            // Usage errors, and help or completion requests answered by ArgumentParser's own commands.
            if json, MetaProxyCommand.exitCode(for: error) != .success {
                finish(CommandFailure(kind: .usage, message: MetaProxyCommand.message(for: error)), json: true)
            }
            MetaProxyCommand.exit(withError: error)
        default:
            finish(CommandFailure.classify(error), json: json)
        }
    }

    /// Whether ArgumentParser threw `error` (its usage errors and help requests are internal types).
    static func isArgumentParserError(_ error: any Error) -> Bool {
        error is ValidationError || error is CleanExit || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }

    /// Prints `failure` and exits with its status.
    static func finish(_ failure: CommandFailure, json: Bool) -> Never {
        if json {
            print(failure.json)
        } else {
            FileHandle.standardError.write(Data("Error: \(failure.message)\n".utf8))
        }
        Foundation.exit(failure.exitStatus)
    }
}

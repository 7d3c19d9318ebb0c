import FailoverControl
import FailoverPolicy
import RouteModel

extension ProxyConfiguration.FailoverSettings {
    static let hookKeys: Set<String> = ["exec", "url", "timeout", "queue"]

    /// Reads `failover.hooks`: `{exec: path, url: http://..., timeout: 5s, queue: 100}`; `exec` or
    /// `url` (or both) is required, `exec` is relative to the configuration file.
    static func hooks(_ document: DocumentValue, baseDirectory: String) throws(DocumentError) -> FailoverHookSettings {
        let section = try document.mapping(knownKeys: hookKeys)
        var settings = FailoverHookSettings()
        if let value = section["exec"] {
            settings.exec = ProxyConfiguration.resolve(try value.string(), relativeTo: baseDirectory)
        }
        if let value = section["url"] {
            let url = try value.string()
            guard url.hasPrefix("http://") else {
                throw value.error("expected an http:// URL (https is not supported)")
            }
            settings.url = url
        }
        guard settings.exec != nil || settings.url != nil else {
            throw document.error("expected `exec` (an executable) or `url` (an http:// URL), or both")
        }
        if let value = section["timeout"] {
            guard let timeout = PolicyDuration.parse(try value.string()), timeout > .zero, timeout <= .seconds(300) else {
                throw value.error("expected a duration from 1ms to 5m, e.g. 5s or 500ms")
            }
            settings.timeout = timeout
        }
        if let value = section["queue"] {
            settings.queueCapacity = try value.integer(in: 1...100_000, expectation: "an integer from 1 to 100000")
        }
        return settings
    }
}

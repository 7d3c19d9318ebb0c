import Testing

@testable import MetaProxyApp

/// `metric.max_table_series`, `zookeeper.negative_cache_ttl`, `zookeeper.negative_cache_capacity`.
@Suite("Cardinality settings")
struct CardinalitySettingsTests {
    static func decode(_ yaml: String) throws -> ProxyConfiguration {
        try ProxyConfiguration.decode(yaml: yaml, file: "proxy.yaml")
    }

    @Test func defaults() throws {
        let configuration = try Self.decode("routes_file: routes.yaml\n")
        #expect(configuration.metric.maxTableSeries == 10_000)
        #expect(configuration.zookeeper.negativeCacheTTL == .milliseconds(5000))
        #expect(configuration.zookeeper.negativeCacheCapacity == 4096)
    }

    @Test func setKeys() throws {
        let configuration = try Self.decode(
            """
            metric: { max_table_series: 0 }
            zookeeper: { address: "127.0.0.1:2181", negative_cache_ttl: 250, negative_cache_capacity: 8 }
            """)
        #expect(configuration.metric.maxTableSeries == 0)
        #expect(configuration.zookeeper.negativeCacheTTL == .milliseconds(250))
        #expect(configuration.zookeeper.negativeCacheCapacity == 8)
    }

    @Test(arguments: [
        ("metric: { max_table_series: -1 }", "metric.max_table_series"),
        ("zookeeper: { negative_cache_ttl: lots }", "zookeeper.negative_cache_ttl"),
        ("zookeeper: { negative_cache_capacity: 0 }", "zookeeper.negative_cache_capacity"),
    ])
    func errorsNameTheKeyAndFile(yaml: String, key: String) {
        let error = #expect(throws: ConfigError.self) { try Self.decode(yaml) }
        #expect(error?.description.hasPrefix("proxy.yaml: \(key): ") == true, "\(error?.description ?? "")")
    }
}

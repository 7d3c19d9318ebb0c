import PegasusWire
import RouteModel
import TestSupport
import Testing

@testable import Router

@Suite("ProxyMetrics")
struct ProxyMetricsTests {
    @Test("each reply result's index is its position in allCases (its counter's position)")
    func replyResultIndexes() {
        for (position, result) in ProxyMetrics.ReplyResult.allCases.enumerated() {
            #expect(result.index == position, "\(result)")
        }
    }
}

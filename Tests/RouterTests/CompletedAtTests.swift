import NIOCore
import PegasusWire
import Testing

@testable import Router

/// ``UpstreamQuery/completedAt``: the time of the event that completed a query, which the proxy
/// uses to time the reply instead of reading the clock again; it never leaks into a pooled
/// query's next use.
@Suite("UpstreamQuery completedAt")
struct CompletedAtTests {
    final class Query: UpstreamQuery {
        var seen: [NIODeadline?] = []
        init() {
            super.init(name: RpcName.queryConfig, args: ByteBuffer(), deadline: .distantFuture, followsForwards: true)
        }
        override func completed(_ result: Result<ResponseFrame, UpstreamError>) { seen.append(completedAt) }
    }

    private static let failure: Result<ResponseFrame, UpstreamError> = .failure(UpstreamError(.timeout, cluster: "c"))

    @Test("complete(at:) sets completedAt before completed(_:) runs; reuse clears it")
    func setAndCleared() {
        let query = Query()
        let time = NIODeadline.uptimeNanoseconds(123_456_789)
        query.complete(Self.failure, at: time)
        #expect(query.seen == [time])
        #expect(query.completedAt == time)
        query.prepareForReuse()
        #expect(query.completedAt == nil)
        // Completed by an event that read no clock: nil, so the proxy reads it itself.
        query.complete(Self.failure)
        #expect(query.seen == [time, nil])
    }

    @Test("a query already done keeps its first completion time")
    func secondCompletionIgnored() {
        let query = Query()
        let first = NIODeadline.uptimeNanoseconds(1_000)
        query.complete(Self.failure, at: first)
        query.complete(Self.failure, at: .uptimeNanoseconds(2_000))
        #expect(query.completedAt == first)
        #expect(query.seen == [first])
    }
}

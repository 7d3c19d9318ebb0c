import NIOCore
import PegasusWire
import RouteModel
import TestSupport
import Testing

@testable import Router

@Suite("RecentReplies (reply reuse bookkeeping, explicit clock)")
struct RecentRepliesTests {
    static func at(_ milliseconds: Int64) -> NIODeadline { .uptimeNanoseconds(UInt64(1_000_000_000 + milliseconds * 1_000_000)) }

    static func reply(_ appId: Int32) -> ResponseFrame {
        ResponseFrame.reply(requestName: RpcName.queryConfig, seqid: 7, result: QueryConfigResponse(appId: appId))
    }

    static func appId(_ reply: ResponseFrame?) throws -> Int32? {
        try reply?.decodeResult(QueryConfigResponse.self).appId
    }

    @Test("a reply answers until the window has passed since it was recorded, then is gone")
    func expiry() throws {
        var replies = RecentReplies<String>(window: .milliseconds(100))
        replies.record(Self.reply(1), for: "t1", now: Self.at(0))
        #expect(try Self.appId(replies.reply(for: "t1", now: Self.at(99))) == 1)
        #expect(replies.reply(for: "t2", now: Self.at(1)) == nil)
        #expect(replies.reply(for: "t1", now: Self.at(100)) == nil)
        #expect(replies.count == 0)
    }

    @Test("recording again replaces the reply and restarts its window; the old record does not drop the new one")
    func replace() throws {
        var replies = RecentReplies<String>(window: .milliseconds(100))
        replies.record(Self.reply(1), for: "t1", now: Self.at(0))
        replies.record(Self.reply(2), for: "t1", now: Self.at(50))
        // Recording t2 at 120 drops t1's first record (expired at 100), which no longer matches t1's entry.
        replies.record(Self.reply(3), for: "t2", now: Self.at(120))
        #expect(try Self.appId(replies.reply(for: "t1", now: Self.at(140))) == 2)
        #expect(replies.reply(for: "t1", now: Self.at(150)) == nil)
        #expect(try Self.appId(replies.reply(for: "t2", now: Self.at(150))) == 3)
    }

    @Test("expired entries are dropped when a reply is recorded, and at capacity the oldest goes first")
    func bounded() throws {
        var replies = RecentReplies<Int>(window: .milliseconds(100), capacity: 3)
        for key in 0..<3 { replies.record(Self.reply(Int32(key)), for: key, now: Self.at(Int64(key))) }
        replies.record(Self.reply(3), for: 3, now: Self.at(10))
        #expect(replies.count == 3)
        #expect(replies.reply(for: 0, now: Self.at(11)) == nil)
        #expect(try Self.appId(replies.reply(for: 1, now: Self.at(11))) == 1)
        // At 200 every entry has expired: recording one more leaves only it.
        replies.record(Self.reply(4), for: 4, now: Self.at(200))
        #expect(replies.count == 1)
        for key in 0..<1000 { replies.record(Self.reply(5), for: key, now: Self.at(300 + Int64(key))) }
        #expect(replies.count == 3)
    }

    @Test("the recorded body is a copy: it does not keep the buffer it was sliced from")
    func bodyCopied() throws {
        var large = ByteBuffer(repeating: 0, count: 1 << 16)
        var encoded = ByteBuffer()
        Self.reply(9).encode(into: &encoded)
        large.writeImmutableBuffer(encoded)
        large.moveReaderIndex(forwardBy: 1 << 16)
        let frame = try ResponseFrame.read(from: &large)
        var replies = RecentReplies<String>(window: .milliseconds(100))
        replies.record(frame, for: "t1", now: Self.at(0))
        let found = replies.reply(for: "t1", now: Self.at(1))
        let kept = try #require(found)
        #expect(kept == frame)
        #expect(kept.body.capacity < 1 << 16)
    }
}

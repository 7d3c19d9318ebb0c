import Logging
import TestSupport
import Testing

@testable import ZooKeeper

@Suite("RepeatedLogLimiter")
struct RepeatedLogLimiterTests {
    typealias Limiter = RepeatedLogLimiter<ManualClock.Instant>

    @Test func firstLineOfAShapeIsLoggedAndRepeatsWithinTheIntervalAreFolded() {
        let clock = ManualClock()
        var limiter = Limiter(interval: .seconds(10))
        #expect(limiter.admit("refused", at: clock.now) == .log)
        for _ in 0..<153 {
            clock.advance(by: .milliseconds(50))
            #expect(limiter.admit("refused", at: clock.now) == .suppress)
        }
        clock.advance(by: .seconds(10))
        #expect(limiter.admit("refused", at: clock.now) == .logWithSummary(count: 153, duration: .milliseconds(17_650)))
        // A new interval starts at that line.
        clock.advance(by: .seconds(1))
        #expect(limiter.admit("refused", at: clock.now) == .suppress)
    }

    @Test func aShapeThatDidNotRepeatIsLoggedPlainAfterItsInterval() {
        let clock = ManualClock()
        var limiter = Limiter(interval: .seconds(10))
        #expect(limiter.admit("a", at: clock.now) == .log)
        clock.advance(by: .seconds(10))
        #expect(limiter.admit("a", at: clock.now) == .log)
    }

    @Test func shapesAreFoldedIndependently() {
        let clock = ManualClock()
        var limiter = Limiter(interval: .seconds(10))
        #expect(limiter.admit("a", at: clock.now) == .log)
        #expect(limiter.admit("b", at: clock.now) == .log)
        #expect(limiter.admit("a", at: clock.now) == .suppress)
        #expect(limiter.admit("b", at: clock.now) == .suppress)
    }

    @Test func atMostOneLinePerShapePerIntervalHoweverFastItRepeats() {
        let clock = ManualClock()
        var limiter = Limiter(interval: .seconds(10))
        var logged = 0
        // 160 lines a second for a minute.
        for _ in 0..<(160 * 60) {
            if limiter.admit("same", at: clock.now) != .suppress { logged += 1 }
            clock.advance(by: .microseconds(6250))
        }
        #expect(logged == 6)
    }

    @Test func rememberedShapesAreBounded() {
        let clock = ManualClock()
        var limiter = Limiter(interval: .seconds(10), maximumShapes: 8)
        for index in 0..<100 {
            _ = limiter.admit("shape \(index)", at: clock.now)
            #expect(limiter.shapeCount <= 8)
        }
    }

    @Test func cLinesOfOneOutageHaveOneShape() {
        let first = ZooKeeperLogSink.shape(
            of: "2026-12-07 01:00:00,123:4242(0x7f00aa):ZOO_ERROR@handle_socket_error_msg@1746: Socket "
                + "[127.0.0.1:2181] zk retcode=-4, errno=111(Connection refused): server refused to accept the client")
        let second = ZooKeeperLogSink.shape(
            of: "2026-12-07 01:00:01,987:4242(0x7f00bb):ZOO_ERROR@handle_socket_error_msg@1746: Socket "
                + "[127.0.0.2:2182] zk retcode=-4, errno=111(Connection refused): server refused to accept the client")
        #expect(first == second)
        #expect(first.hasPrefix(":ZOO_ERROR@"))
    }

    @Test func cLevelsMapToTheirSwiftLogLevels() {
        #expect(ZooKeeperLogSink.swiftLevel(forCMessage: "t:1(0x1):ZOO_ERROR@f@1: x") == .error)
        #expect(ZooKeeperLogSink.swiftLevel(forCMessage: "t:1(0x1):ZOO_WARN@f@1: x") == .warning)
        #expect(ZooKeeperLogSink.swiftLevel(forCMessage: "t:1(0x1):ZOO_INFO@f@1: x") == .info)
        #expect(ZooKeeperLogSink.swiftLevel(forCMessage: "t:1(0x1):ZOO_DEBUG@f@1: x") == .debug)
    }
}

import NIOCore
import NIOEmbedded
import PegasusWire
import RouteModel
import TestSupport
import Testing

@testable import Router

/// `IdleTimer` on an `EmbeddedEventLoop`, whose clock only moves when the test moves it.
@Suite("IdleTimer")
struct IdleTimerTests {
    /// Counts the idle calls.
    final class Count {
        var value = 0
    }

    static func started() -> (IdleTimer, EmbeddedEventLoop, Count) {
        let loop = EmbeddedEventLoop()
        let timer = IdleTimer(timeout: .milliseconds(100), eventLoop: loop)
        let count = Count()
        timer.start { count.value += 1 }
        return (timer, loop, count)
    }

    @Test("without traffic, idle is called after the timeout, not before")
    func idleAfterTimeout() {
        let (timer, loop, count) = Self.started()
        loop.advanceTime(by: .milliseconds(99))
        #expect(count.value == 0)
        loop.advanceTime(by: .milliseconds(1))
        #expect(count.value == 1)
        timer.stop()
    }

    @Test("noted traffic postpones idle to a full timeout after it")
    func trafficPostpones() {
        let (timer, loop, count) = Self.started()
        loop.advanceTime(by: .milliseconds(80))
        timer.noteTraffic()
        loop.advanceTime(by: .milliseconds(80))
        #expect(count.value == 0)
        timer.noteTraffic()
        loop.advanceTime(by: .milliseconds(80))
        #expect(count.value == 0)
        loop.advanceTime(by: .milliseconds(20))
        #expect(count.value == 1)
        timer.stop()
    }

    @Test("a stopped timer never calls idle")
    func stoppedIsQuiet() {
        let (timer, loop, count) = Self.started()
        timer.stop()
        loop.advanceTime(by: .seconds(1))
        #expect(count.value == 0)
    }
}

import NIOCore
import NIOEmbedded
import PegasusWire
import RouteModel
import TestSupport
import Testing

@testable import Router

/// `AttemptTimeouts` on an `EmbeddedEventLoop`, whose clock only moves when the test moves it.
@Suite("AttemptTimeouts")
struct AttemptTimeoutsTests {
    /// A loop, its timeouts, and the order in which they ran.
    final class Fixture {
        let loop = EmbeddedEventLoop()
        let timeouts: AttemptTimeouts
        var fired: [String] = []

        init() {
            timeouts = AttemptTimeouts(eventLoop: loop)
        }

        @discardableResult
        func add(_ name: String, at milliseconds: Int64) -> AttemptTimeouts.ID {
            timeouts.add(deadline: NIODeadline.uptimeNanoseconds(0) + .milliseconds(milliseconds)) { [self] in
                fired.append(name)
            }
        }

        func advance(to milliseconds: Int64) {
            loop.advanceTime(to: NIODeadline.uptimeNanoseconds(0) + .milliseconds(milliseconds))
        }
    }

    @Test("each timeout runs at its deadline, in deadline order, whatever the order of adding")
    func firesInDeadlineOrder() {
        let fixture = Fixture()
        fixture.add("late", at: 300)
        fixture.add("early", at: 100)
        fixture.add("middle", at: 200)
        fixture.advance(to: 99)
        #expect(fixture.fired.isEmpty)
        fixture.advance(to: 100)
        #expect(fixture.fired == ["early"])
        fixture.advance(to: 250)
        #expect(fixture.fired == ["early", "middle"])
        fixture.advance(to: 1000)
        #expect(fixture.fired == ["early", "middle", "late"])
    }

    @Test("a cancelled timeout never runs; the others still do")
    func cancelledDoesNotFire() {
        let fixture = Fixture()
        let first = fixture.add("first", at: 100)
        fixture.add("second", at: 150)
        fixture.timeouts.cancel(first)
        fixture.advance(to: 1000)
        #expect(fixture.fired == ["second"])
    }

    @Test("a timeout added after the timer fired for an earlier one still runs")
    func rearmsAfterFiring() {
        let fixture = Fixture()
        fixture.add("a", at: 100)
        fixture.advance(to: 100)
        fixture.add("b", at: 180)
        fixture.add("c", at: 120)
        fixture.advance(to: 130)
        #expect(fixture.fired == ["a", "c"])
        fixture.advance(to: 200)
        #expect(fixture.fired == ["a", "c", "b"])
    }

    @Test("an ID cancelled twice does not cancel the timeout that reused its slot")
    func staleIDDoesNotCancelTheNextUse() {
        let fixture = Fixture()
        let first = fixture.add("first", at: 100)
        fixture.timeouts.cancel(first)
        let second = fixture.add("second", at: 100)
        fixture.timeouts.cancel(first)
        #expect(first != second)
        fixture.advance(to: 200)
        #expect(fixture.fired == ["second"])
    }

    @Test("cancelling after the timeout ran does nothing")
    func cancelAfterFiring() {
        let fixture = Fixture()
        let id = fixture.add("once", at: 50)
        fixture.advance(to: 60)
        fixture.timeouts.cancel(id)
        fixture.advance(to: 500)
        #expect(fixture.fired == ["once"])
    }
}

@Suite("AttemptTimeouts targets")
struct AttemptTimeoutTargetTests {
    final class Target: AttemptTimeoutTarget {
        var fired: [AttemptTimeouts.ID] = []
        func timedOut(_ id: AttemptTimeouts.ID) { fired.append(id) }
    }

    @Test("a target is told which of its timeouts is due")
    func targetGetsItsID() {
        let loop = EmbeddedEventLoop()
        let timeouts = AttemptTimeouts(eventLoop: loop)
        let target = Target()
        let start = NIODeadline.uptimeNanoseconds(0)
        let first = timeouts.add(deadline: start + .milliseconds(100), target: target)
        let second = timeouts.add(deadline: start + .milliseconds(200), target: target)
        let cancelled = timeouts.add(deadline: start + .milliseconds(150), target: target)
        timeouts.cancel(cancelled)
        loop.advanceTime(to: start + .milliseconds(1000))
        #expect(target.fired == [first, second])
    }
}

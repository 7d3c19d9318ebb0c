import PegasusWire
import Testing

@testable import PegasusSim

@Suite("SimClock: date formatting")
struct SimClockTests {
    @Test("dates are formatted in UTC")
    func dates() {
        #expect(SimClock.dateTime(unixSeconds: 1_700_000_000) == "2023-11-14 22:13:20")
        #expect(SimClock.dateTime(unixSeconds: 0) == "1970-01-01 00:00:00")
        #expect(SimClock.dateTimeMilliseconds(unixMilliseconds: 951_782_400_123) == "2000-02-29 00:00:00.123")
    }
}

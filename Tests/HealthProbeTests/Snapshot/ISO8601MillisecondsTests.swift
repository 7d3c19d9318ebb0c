import Foundation
import Testing

@testable import HealthProbe

@Suite("Snapshot timestamps")
struct ISO8601MillisecondsTests {
    @Test("millisecond timestamps survive format → parse → format, whatever the float rounding")
    func roundTrip() throws {
        for step in 0..<500 {
            let date = Date(timeIntervalSince1970: 1_790_000_000 + Double(step) * 0.0013)
            let text = ISO8601Milliseconds.format(date)
            let parsed = try #require(ISO8601Milliseconds.parse(text))
            #expect(ISO8601Milliseconds.format(parsed) == text)
            #expect(abs(parsed.timeIntervalSince(date)) <= 0.0005 + 1e-6)
        }
        #expect(ISO8601Milliseconds.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(ISO8601Milliseconds.parse("1970-01-01T00:00:01Z") == Date(timeIntervalSince1970: 1))
        #expect(ISO8601Milliseconds.parse("yesterday") == nil)
        #expect(ISO8601Milliseconds.parse("1970-01-01T00:00:01.x1Z") == nil)
    }
}

import FailoverPolicy
import Testing

@Suite("Policy durations")
struct PolicyDurationTests {
    @Test(
        "valid durations",
        arguments: [
            ("500ms", Duration.milliseconds(500)),
            ("2s", .seconds(2)),
            ("1m", .seconds(60)),
            ("1h", .seconds(3600)),
            ("1m30s", .seconds(90)),
            ("1s250ms", .milliseconds(1250)),
            ("0", .zero),
            ("0s", .zero),
        ]
    )
    func valid(text: String, expected: Duration) {
        #expect(PolicyDuration.parse(text) == expected)
    }

    @Test(
        "invalid durations",
        arguments: ["", "30", "30x", "1.5s", "-1s", "s", "1 s", " 1s", "1S", "1234567890s", "1d", "ms"]
    )
    func invalid(text: String) {
        #expect(PolicyDuration.parse(text) == nil)
    }

    @Test(
        "formatting",
        arguments: [
            (Duration.zero, "0s"),
            (.milliseconds(250), "250ms"),
            (.seconds(2), "2s"),
            (.milliseconds(1500), "1.5s"),
            (.milliseconds(12_345), "12.345s"),
            (.seconds(300), "5m"),
            (.seconds(7200), "2h"),
            (.seconds(-3), "-3s"),
        ]
    )
    func format(duration: Duration, expected: String) {
        #expect(PolicyDuration.format(duration) == expected)
    }
}

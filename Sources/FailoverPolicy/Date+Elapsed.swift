import Foundation

extension Date {
    /// The time from `earlier` to `self` as a `Duration` (negative if `earlier` is later).
    func elapsed(since earlier: Date) -> Duration {
        .seconds(timeIntervalSince(earlier))
    }
}

import Foundation

/// Wall-clock time and rDSN's date formats.
enum SimClock {
    /// Seconds between 1970-01-01 and 2016-01-01 00:00:00 UTC, the Pegasus epoch of `expire_ts_seconds`.
    static let pegasusEpochOffset: Int64 = 1_451_606_400

    /// Seconds since 1970-01-01 UTC.
    static func unixSeconds() -> Int64 {
        Int64(Date().timeIntervalSince1970)
    }

    /// Seconds since the Pegasus epoch.
    static func pegasusSeconds() -> Int64 {
        unixSeconds() - pegasusEpochOffset
    }

    /// `yyyy-MM-dd HH:mm:ss` in UTC (rDSN `time_ms_to_date_time`, which uses local time; the
    /// simulator uses UTC).
    static func dateTime(unixSeconds: Int64) -> String {
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let secondsOfDay = unixSeconds - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) "
            + "\(pad(secondsOfDay / 3600, 2)):\(pad(secondsOfDay / 60 % 60, 2)):\(pad(secondsOfDay % 60, 2))"
    }

    /// `yyyy-MM-dd HH:mm:ss.SSS` in UTC (rDSN `time_ms_to_string`).
    static func dateTimeMilliseconds(unixMilliseconds: Int64) -> String {
        let seconds = unixMilliseconds >= 0 ? unixMilliseconds / 1000 : (unixMilliseconds - 999) / 1000
        return dateTime(unixSeconds: seconds) + "." + pad(unixMilliseconds - seconds * 1000, 3)
    }

    /// Howard Hinnant's `civil_from_days`.
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

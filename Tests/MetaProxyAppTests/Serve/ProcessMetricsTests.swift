import Foundation
import Testing

@testable import MetaProxyApp

@Suite("Process metrics and build identity")
struct ProcessMetricsTests {
    @Test("a /proc/<pid>/stat line, whose command name holds spaces and parentheses")
    func parsesStat() throws {
        // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime
        // cutime cstime priority nice num_threads itrealvalue starttime vsize rss ...
        let line =
            "4242 (meta proxy) (x)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 125 0 0 20 0 9 0 "
            + "123456 987654321 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0"
        let stat = try #require(ProcessStat(parsing: line))
        #expect(stat.userTicks == 250)
        #expect(stat.systemTicks == 125)
        #expect(stat.startTicks == 123456)
        #expect(stat.virtualBytes == 987_654_321)
        #expect(stat.residentPages == 2048)
        #expect(ProcessStat(parsing: "4242 (x) S 1 2") == nil)
        #expect(ProcessStat(parsing: "no parentheses") == nil)
    }

    @Test("the boot time from /proc/stat")
    func bootTime() {
        #expect(ProcessStat.bootTime(parsingSystemStat: "cpu  1 2 3\nbtime 1733540000\nprocesses 9\n") == 1_733_540_000)
        #expect(ProcessStat.bootTime(parsingSystemStat: "cpu 1 2 3\n") == nil)
    }

    #if os(Linux)
        @Test("this process's own /proc/self/stat parses")
        func ownStat() throws {
            let text = try String(contentsOfFile: "/proc/self/stat", encoding: .utf8)
            let stat = try #require(ProcessStat(parsing: text))
            #expect(stat.residentPages > 0)
            #expect(stat.startTicks > 0)
        }
    #endif

    @Test("--version text: the version first, then commit, build date and Swift version")
    func versionText() {
        let info = BuildInfo(version: "1.2.3", commit: "abc", buildDate: "2026-01-02T03:04:05Z", swiftVersion: "6.3.1")
        #expect(info.versionText == "meta-proxy 1.2.3\ncommit: abc\nbuilt: 2026-01-02T03:04:05Z\nswift: 6.3.1")
        #expect(BuildInfo.current.version == BuildInfo.releaseVersion)
        #expect(!BuildInfo.current.commit.isEmpty)
        #expect(BuildInfo.current.swiftVersion.first?.isNumber == true || BuildInfo.current.swiftVersion.hasPrefix(">="))
    }
}

import PegasusWire
import RouteModel
import TestSupport
import Testing

@testable import MetaProxyApp

@Suite("CPU affinity: event loops per usable CPU")
struct CPUAffinityTests {
    @Test(arguments: [
        ("Name:\tx\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n", 2),
        ("Cpus_allowed:\t2\n", 1),
        ("Cpus_allowed:\tffffffff,ffffffff\n", 64),
        ("Cpus_allowed:\t00000000,00000101\n", 2),
    ])
    func countsTheMask(status: String, expected: Int) {
        #expect(CPUAffinity.allowedCount(status: status) == expected)
    }

    @Test func unreadableMaskIsNil() {
        #expect(CPUAffinity.allowedCount(status: "Name:\tx\n") == nil)
        #expect(CPUAffinity.allowedCount(status: "Cpus_allowed:\tzz\n") == nil)
    }

    @Test func thisProcessHasAtLeastOne() {
        #expect(CPUAffinity.usableCores() >= 1)
    }

    @Test func zeroThreadsInTheFileMeansPerCPU() throws {
        let configuration = try ProxyConfiguration.decode(yaml: "server: { threads: 0 }", file: "proxy.yaml")
        #expect(configuration.server.threads == nil)
        #expect(configuration.server.effectiveThreads == CPUAffinity.usableCores())
    }
}

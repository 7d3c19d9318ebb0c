import PegasusWire
import Testing

@testable import PegasusSim

@Suite("SimClusterConfiguration and SimTable: parsing and validation")
struct SimConfigurationTests {
    @Test("table lists parse as name:partitions")
    func tableList() throws {
        #expect(
            try SimTable.parseList("t1:8,t2:4")
                == [SimTable(name: "t1", partitionCount: 8), SimTable(name: "t2", partitionCount: 4)])
        #expect(try SimTable.parseList("") == [])
        for bad in ["t1", "t1:0", ":4", "t1:x"] {
            #expect(throws: SimError.self) { try SimTable.parseList(bad) }
        }
    }

    @Test("configurations are validated")
    func validation() {
        let tables = [SimTable(name: "a", partitionCount: 2), SimTable(name: "b", partitionCount: 2, appId: 1)]
        #expect(throws: SimError.self) { try SimClusterConfiguration(name: "x", tables: tables).validate() }
        #expect(throws: SimError.self) { try SimClusterConfiguration(name: "x", metaCount: 0).validate() }
        #expect(throws: SimError.self) { try SimClusterConfiguration(name: "x", leaderIndex: 3).validate() }
        #expect(throws: SimError.self) { try SimClusterConfiguration(name: "x", host: "localhost").validate() }
        #expect(throws: Never.self) {
            try SimClusterConfiguration(name: "x", tables: tables, appIdBase: 5).validate()
        }
    }
}

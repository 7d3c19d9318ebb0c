import PegasusWire
import Testing

@testable import PegasusSim

@Suite("Parsing and formatting")
struct UnitTests {
    @Test("request targets parse like rDSN: decoded, empty segments dropped, flags, duplicates rejected")
    func httpRequest() throws {
        let request = try SimHTTPRequest(target: "/meta//app/?name=my%20table&detail")
        #expect(request.path == "meta/app")
        #expect(request.query == ["name": "my table", "detail": ""])
        #expect(request.rebuiltTarget == "/meta/app?detail=&name=my table")
        #expect(try SimHTTPRequest(target: "/").path == "")
        #expect(throws: SimHTTPRequest.ParseError.self) { try SimHTTPRequest(target: "/x?a=1&a=2") }
        #expect(throws: SimHTTPRequest.ParseError.self) { try SimHTTPRequest(target: "/x%zz") }
    }

    @Test("JSON: order kept, nlohmann-sorted objects, escapes")
    func jsonRendering() {
        let value = SimJSON.object([
            ("b", .integer(-1)), ("a", .sorted([("10", .null), ("2", .bool(true)), ("1", .string("q\"\\\n\u{1}"))])),
        ])
        #expect(value.render() == #"{"b":-1,"a":{"1":"q\"\\\n\u0001","10":null,"2":true}}"#)
    }

    @Test("dates are formatted in UTC")
    func dates() {
        #expect(SimClock.dateTime(unixSeconds: 1_700_000_000) == "2023-11-14 22:13:20")
        #expect(SimClock.dateTime(unixSeconds: 0) == "1970-01-01 00:00:00")
        #expect(SimClock.dateTimeMilliseconds(unixMilliseconds: 951_782_400_123) == "2000-02-29 00:00:00.123")
    }

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

    @Test("follower state machine: forward names the leader only while it is alive")
    func forwardDecision() throws {
        var state = SimClusterState(configuration: SimClusterConfiguration(name: "x"), now: 0)
        state.metas[0].address = Endpoint(literalHost: "127.0.0.1", port: 34601)
        #expect(state.forwardQueryConfigResponse().partitions.first?.primary == RpcAddress(parsing: "127.0.0.1:34601"))
        state.metas[0].alive = false
        #expect(state.forwardQueryConfigResponse().partitions.isEmpty)
        state.metas[0].alive = true
        try state.setLeader(nil)
        #expect(state.forwardQueryConfigResponse().partitions.isEmpty)
    }
}

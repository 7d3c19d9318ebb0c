import PegasusWire
import RouteModel
import TestSupport
import Testing

@testable import Router

@Suite("MetaSet")
struct MetaSetTests {
    static let listed = (1...3).compactMap { try? Endpoint(host: "127.0.0.1", port: $0) }
    static let outsider = try? Endpoint(host: "10.0.0.9", port: 34601)

    @Test func listedMetasByPosition() {
        var set = MetaSet()
        #expect(!set.contains(Self.listed[1], at: 1))
        set.insert(Self.listed[1], at: 1)
        #expect(set.contains(Self.listed[1], at: 1))
        #expect(!set.contains(Self.listed[0], at: 0))
        #expect(!set.contains(Self.listed[2], at: 2))
    }

    @Test func metasOutsideTheListByAddress() throws {
        let outsider = try #require(Self.outsider)
        var set = MetaSet()
        set.insert(outsider, at: nil)
        #expect(set.contains(outsider, at: nil))
        #expect(!set.contains(Self.listed[0], at: 0))
        #expect(!set.contains(Self.listed[0], at: nil))
    }

    @Test func positionsPastOneWordAreKeptByAddress() throws {
        let far = try Endpoint(host: "127.0.0.2", port: 100)
        var set = MetaSet()
        set.insert(far, at: 64)
        #expect(set.contains(far, at: 64))
        #expect(!set.contains(Self.listed[0], at: 0))
    }
}

import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing

@Suite("LRUCache")
struct LRUCacheTests {
    @Test func evictsTheLeastRecentlyUsedEntryAndReturnsIt() {
        var cache = LRUCache<String, Int>(capacity: 2)
        #expect(cache.setValue(1, forKey: "a") == nil)
        #expect(cache.setValue(2, forKey: "b") == nil)
        #expect(cache.value(forKey: "a") == 1)  // "b" is now the least recently used
        let evicted = cache.setValue(3, forKey: "c")
        #expect(evicted?.key == "b")
        #expect(evicted?.value == 2)
        #expect(cache.keys == ["c", "a"])
        #expect(cache.count == 2)
        #expect(cache.value(forKey: "b") == nil)
    }

    @Test func replacingAValueEvictsNothingAndRefreshesIt() {
        var cache = LRUCache<String, Int>(capacity: 2)
        cache.setValue(1, forKey: "a")
        cache.setValue(2, forKey: "b")
        #expect(cache.setValue(10, forKey: "a") == nil)
        #expect(cache.keys == ["a", "b"])
        #expect(cache.setValue(3, forKey: "c")?.key == "b")
        #expect(cache.peekValue(forKey: "a") == 10)
    }

    @Test func peekAndContainsKeepTheOrder() {
        var cache = LRUCache<Int, String>(capacity: 3)
        for key in 1...3 { cache.setValue("\(key)", forKey: key) }
        #expect(cache.peekValue(forKey: 1) == "1")
        #expect(cache.contains(1))
        #expect(cache.keys == [3, 2, 1])
        #expect(cache.setValue("4", forKey: 4)?.key == 1)
    }

    @Test func removeFreesASlotThatIsReused() {
        var cache = LRUCache<Int, Int>(capacity: 3)
        for key in 1...3 { cache.setValue(key, forKey: key) }
        #expect(cache.removeValue(forKey: 2) == 2)
        #expect(cache.removeValue(forKey: 2) == nil)
        #expect(cache.keys == [3, 1])
        #expect(cache.setValue(4, forKey: 4) == nil)
        #expect(cache.keys == [4, 3, 1])
        #expect(cache.setValue(5, forKey: 5)?.key == 1)
        #expect(cache.removeValue(forKey: 5) == 5)
        #expect(cache.removeValue(forKey: 3) == 3)
        #expect(cache.removeValue(forKey: 4) == 4)
        #expect(cache.isEmpty)
        #expect(cache.keys.isEmpty)
        #expect(cache.setValue(6, forKey: 6) == nil)
        #expect(cache.keys == [6])
    }

    @Test func capacityBelowOneMeansOne() {
        var cache = LRUCache<Int, Int>(capacity: 0)
        #expect(cache.capacity == 1)
        cache.setValue(1, forKey: 1)
        #expect(cache.setValue(2, forKey: 2)?.key == 1)
        cache.removeAll()
        #expect(cache.isEmpty)
    }

    /// Random operations against a simple reference model (an array in recency order).
    @Test func matchesAReferenceModel() {
        var generator = SystemRandomNumberGenerator()
        var cache = LRUCache<Int, Int>(capacity: 8)
        var model: [(key: Int, value: Int)] = []  // most recent first
        for step in 0..<20_000 {
            let key = Int.random(in: 0..<16, using: &generator)
            switch Int.random(in: 0..<4, using: &generator) {
            case 0:
                let value = cache.value(forKey: key)
                let index = model.firstIndex { $0.key == key }
                #expect(value == index.map { model[$0].value })
                if let index { model.insert(model.remove(at: index), at: 0) }
            case 1:
                #expect(cache.removeValue(forKey: key) == model.first { $0.key == key }?.value)
                model.removeAll { $0.key == key }
            default:
                let evicted = cache.setValue(step, forKey: key)
                var expected: (key: Int, value: Int)?
                if let index = model.firstIndex(where: { $0.key == key }) {
                    model.remove(at: index)
                } else if model.count == 8 {
                    expected = model.removeLast()
                }
                model.insert((key, step), at: 0)
                #expect(evicted?.key == expected?.key)
                #expect(evicted?.value == expected?.value)
            }
            #expect(cache.keys == model.map(\.key))
        }
    }
}

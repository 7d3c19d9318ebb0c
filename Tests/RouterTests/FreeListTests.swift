import Testing

@testable import Router

@Suite("FreeList: bounded reuse of per-request objects")
struct FreeListTests {
    final class Item {
        let id: Int
        init(_ id: Int) { self.id = id }
    }

    @Test("an empty list hands out nothing")
    func emptyTakesNothing() {
        let list = FreeList<Item>(capacity: 4)
        #expect(list.take() == nil)
        #expect(list.count == 0)
    }

    @Test("an object given back is handed out again, the most recent first")
    func reusesMostRecentFirst() {
        let list = FreeList<Item>(capacity: 4)
        let first = Item(1)
        let second = Item(2)
        #expect(list.give(first))
        #expect(list.give(second))
        #expect(list.take() === second)
        #expect(list.take() === first)
        #expect(list.take() == nil)
    }

    @Test("at most capacity objects are kept; the rest are dropped")
    func bounded() {
        let list = FreeList<Item>(capacity: 2)
        #expect(list.give(Item(1)))
        #expect(list.give(Item(2)))
        #expect(!list.give(Item(3)))
        #expect(list.count == 2)
        #expect(list.take()?.id == 2)
        #expect(list.give(Item(4)))
        #expect(list.count == 2)
    }

    @Test("a capacity of zero keeps nothing")
    func zeroCapacity() {
        let list = FreeList<Item>(capacity: 0)
        #expect(!list.give(Item(1)))
        #expect(list.take() == nil)
    }
}

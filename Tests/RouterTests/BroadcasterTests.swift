import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing

@Suite("Broadcaster", .timeLimit(.minutes(1)))
struct BroadcasterTests {
    @Test func everySubscriberGetsEveryLaterValueInOrder() async {
        let broadcaster = Broadcaster<Int>()
        broadcaster.publish(0)  // nobody listens yet: dropped
        let first = broadcaster.subscribe()
        let second = broadcaster.subscribe()
        #expect(broadcaster.subscriberCount == 2)
        for value in 1...100 { broadcaster.publish(value) }
        broadcaster.finish()
        var firstValues: [Int] = []
        for await value in first { firstValues.append(value) }
        var secondValues: [Int] = []
        for await value in second { secondValues.append(value) }
        #expect(firstValues == Array(1...100))
        #expect(secondValues == firstValues)
    }

    @Test func concurrentPublishersReachEverySubscriberInTheSameOrder() async {
        let broadcaster = Broadcaster<Int>()
        let streams = (0..<4).map { _ in broadcaster.subscribe() }
        await withTaskGroup(of: Void.self) { group in
            for publisher in 0..<4 {
                group.addTask {
                    for value in 0..<250 { broadcaster.publish(publisher * 1000 + value) }
                }
            }
        }
        broadcaster.finish()
        var sequences: [[Int]] = []
        for stream in streams {
            var values: [Int] = []
            for await value in stream { values.append(value) }
            sequences.append(values)
        }
        #expect(sequences[0].count == 1000)
        #expect(sequences.allSatisfy { $0 == sequences[0] })
    }

    @Test func droppedSubscribersAreForgottenAndLateSubscribersAreFinished() async {
        let broadcaster = Broadcaster<Int>()
        do {
            let stream = broadcaster.subscribe()
            _ = stream
        }
        #expect(broadcaster.subscriberCount == 0)
        broadcaster.finish()
        var late = 0
        for await _ in broadcaster.subscribe() { late += 1 }
        #expect(late == 0)
        #expect(broadcaster.subscriberCount == 0)
    }
}

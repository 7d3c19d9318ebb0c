import PegasusWire
import Testing

@testable import PegasusSim

@Suite("SimJSON: rendering")
struct SimJSONTests {
    @Test("JSON: order kept, nlohmann-sorted objects, escapes")
    func jsonRendering() {
        let value = SimJSON.object([
            ("b", .integer(-1)), ("a", .sorted([("10", .null), ("2", .bool(true)), ("1", .string("q\"\\\n\u{1}"))])),
        ])
        #expect(value.render() == #"{"b":-1,"a":{"1":"q\"\\\n\u0001","10":null,"2":true}}"#)
    }
}

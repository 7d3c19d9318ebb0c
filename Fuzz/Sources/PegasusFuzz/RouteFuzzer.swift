import RouteModel

/// Fuzzes the route parsers on the same bytes: a ZooKeeper route node's JSON (`RouteDocument.decode`)
/// and a routes file's YAML (`RouteFile.parse`).
///
/// Invariants: nothing traps (errors are `RouteError`s); every route read from either source is
/// written by `RouteDocument.encode` (what the route CLI stores in ZooKeeper) in a form that
/// `RouteDocument.decode` reads back as the same route.
enum RouteFuzzer {
    static func run(_ bytes: [UInt8]) {
        if let route = try? RouteDocument.decode(bytes, table: "fuzz", path: "/fuzz/routes/fuzz") {
            checkRoundTrip(route)
        }
        if let routes = try? RouteFile.parse(bytes, file: "fuzz-routes.yaml") {
            for route in routes.values {
                checkRoundTrip(route)
            }
        }
    }

    private static func checkRoundTrip(_ route: Route) {
        let encoded = RouteDocument.encode(route)
        do {
            let again = try RouteDocument.decode(encoded, table: route.table, path: "/fuzz/encoded")
            FuzzCheck.that(again == route, "route does not survive encode/decode: \(again) vs \(route)")
        } catch {
            FuzzCheck.fail("encoded route \(String(decoding: encoded, as: UTF8.self)) does not decode: \(error)")
        }
    }
}

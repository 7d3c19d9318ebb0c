import PegasusWire

/// A change of the routes a ``RouteStore`` knows, as published by ``RouteStore/routeChanges()``.
public enum RouteChange: Sendable, Equatable {
    /// A table got a route or its route changed.
    case updated(Route)
    /// A table's route was removed from the route source.
    case removed(table: String)

    /// The table the change is about.
    public var table: String {
        switch self {
        case .updated(let route): route.table
        case .removed(let table): table
        }
    }
}

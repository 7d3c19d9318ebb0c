import FailoverControl
import MetaProxyApp
import PegasusWire
import RouteModel
import Router
import Synchronization

/// The events of a planned switch, collected from its progress callback for JSON output.
final class FailoverEventLog: Sendable {
    private let events = Mutex<[FailoverAdmin.PlannedEvent]>([])

    func append(_ event: FailoverAdmin.PlannedEvent) {
        events.withLock { $0.append(event) }
    }

    var all: [FailoverAdmin.PlannedEvent] {
        events.withLock { $0 }
    }
}

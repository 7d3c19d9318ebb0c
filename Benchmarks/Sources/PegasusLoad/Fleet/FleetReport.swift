import Foundation

/// The totals and the per-second timeline of a fleet run.
struct FleetReport {
    /// One second of the timeline.
    struct Second: Codable {
        var t: Int
        var load: FleetBucket
        var client: FleetBucket
    }

    /// The run's totals, written by `--json`.
    struct Totals: Codable {
        var mode = "fleet"
        var label: String
        var target: String
        var seconds: Int
        var load: FleetBucket
        var client: FleetBucket
    }

    let label: String
    let target: String
    let seconds: [Second]

    init(label: String, target: String, timeline: FleetTimeline) {
        self.label = label
        self.target = target
        self.seconds = timeline.seconds().map { entry in
            Second(t: entry.second, load: entry.buckets[FleetRole.load.rawValue], client: entry.buckets[FleetRole.client.rawValue])
        }
    }

    var totals: Totals {
        var load = FleetBucket()
        var client = FleetBucket()
        for second in seconds {
            load.add(second.load)
            client.add(second.client)
        }
        return Totals(label: label, target: target, seconds: seconds.count, load: load, client: client)
    }

    /// A short text summary.
    var summary: String {
        let totals = self.totals
        func line(_ name: String, _ bucket: FleetBucket) -> String {
            "\(name): ok \(bucket.ok), errors \(bucket.errors) (lost on close \(bucket.lostClosed), lost on reset \(bucket.lostReset), "
                + "ERR_TIMEOUT \(bucket.errTimeout), other envelope \(bucket.errEnvelope), body \(bucket.errBody), wrong \(bucket.wrong), "
                + "client timeouts \(bucket.clientTimeouts)); connects \(bucket.connects), refused \(bucket.connectRefused), "
                + "failed \(bucket.connectFailed), closed \(bucket.closed), reset \(bucket.reset), closed before a reply \(bucket.closedBeforeReply)"
        }
        return "[\(label)] \(totals.seconds) s\n  " + line("load", totals.load) + "\n  " + line("client", totals.client)
    }

    private static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// Writes one JSON line per second.
    func writeTimeline(to path: String) throws {
        let encoder = Self.encoder()
        var text = ""
        for second in seconds {
            text += String(decoding: try encoder.encode(second), as: UTF8.self) + "\n"
        }
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw LoadError(.reportFailed, subject: path, detail: "\(error)")
        }
    }

    /// Writes the totals as JSON.
    func writeTotals(to path: String) throws {
        do {
            try Self.encoder().encode(totals).write(to: URL(fileURLWithPath: path))
        } catch {
            throw LoadError(.reportFailed, subject: path, detail: "\(error)")
        }
    }
}

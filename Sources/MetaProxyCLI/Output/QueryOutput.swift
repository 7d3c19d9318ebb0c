import Foundation
import MetaProxyApp
import PegasusWire

/// Renders a query_cfg_response for `meta-proxy query`.
enum QueryOutput {
    static func table(table: String, _ response: QueryConfigResponse) -> String {
        var lines = [
            "table: \(table)  err: \(response.err.name)  app_id: \(response.appId)  partition_count: \(response.partitionCount)"
        ]
        guard !response.partitions.isEmpty else { return lines.joined(separator: "\n") }
        lines.append(pad(["pidx", "ballot", "primary", "secondaries"]))
        for partition in response.partitions {
            lines.append(
                pad([
                    "\(partition.pid.partitionIndex)", "\(partition.ballot)", primary(partition),
                    secondaries(partition).joined(separator: ","),
                ]))
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ response: QueryConfigResponse) -> String {
        let document: [String: Any] = [
            "err": response.err.name,
            "app_id": Int(response.appId),
            "partition_count": Int(response.partitionCount),
            "is_stateful": response.isStateful,
            "partitions": response.partitions.map { partition in
                [
                    "pidx": Int(partition.pid.partitionIndex),
                    "ballot": Int(partition.ballot),
                    "primary": primary(partition),
                    "secondaries": secondaries(partition),
                ] as [String: Any]
            },
        ]
        return CommandJSON.render(document)
    }

    private static func primary(_ partition: PartitionConfiguration) -> String {
        if let hp = partition.hpPrimary, !hp.isInvalid { return hp.description }
        return partition.primary.isInvalid ? "-" : partition.primary.description
    }

    private static func secondaries(_ partition: PartitionConfiguration) -> [String] {
        if let hp = partition.hpSecondaries, !hp.isEmpty { return hp.map(\.description) }
        return partition.secondaries.map(\.description)
    }

    private static func pad(_ columns: [String]) -> String {
        zip(columns, [6, 8, 24, 0]).map { text, width in
            width == 0 ? text : text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0)
        }.joined()
    }
}

import Router

/// The Prometheus text of the per-table counters (`client_query_config_count`, `zk_request_count`),
/// which the proxy keeps itself (``Router/ProxyMetrics/tableSeries()``) rather than in the
/// Prometheus registry, appended to the registry's text by `/metrics`.
///
/// The lines are those the registry would write: a `# HELP` line (``MetricCatalog/help``), a
/// `# TYPE … counter` line, then one line per series with `metric.tags` before the `table` label.
enum TableSeriesText {
    /// Appends the text of `families` to `text`.
    /// - Parameters:
    ///   - families: The per-table counters and their counts.
    ///   - tags: `metric.tags`, in the order the other metrics carry them (sorted by key).
    ///   - help: The help text of each metric.
    static func render(
        _ families: [TableSeries], tags: [(String, String)], help: [String: String] = MetricCatalog.help, into text: inout String
    ) {
        var prefix = ""
        for (key, value) in tags { prefix += "\(key)=\"\(escapedLabelValue(value))\"," }
        for family in families {
            if let help = help[family.metric], !help.isEmpty {
                text += "# HELP \(family.metric) \(escapedHelp(help))\n"
            }
            text += "# TYPE \(family.metric) counter\n"
            for (table, value) in family.series {
                text += family.metric
                text += "{"
                text += prefix
                text += "table=\""
                text += escapedLabelValue(table)
                text += "\"} "
                text += String(value)
                text += "\n"
            }
        }
    }

    /// `value` with `\`, `"` and line feeds escaped (Prometheus text format).
    static func escapedLabelValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") })
        else { return value }
        var escaped = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// `help` without control characters and with `\` escaped, as the registry writes help lines.
    static func escapedHelp(_ help: String) -> String {
        var escaped = ""
        for scalar in help.unicodeScalars where !(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)) {
            if scalar == "\\" { escaped += "\\\\" } else { escaped.unicodeScalars.append(scalar) }
        }
        return escaped
    }
}

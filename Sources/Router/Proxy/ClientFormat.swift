import NIOCore
import PegasusWire
import RouteModel

/// The client-facing frame formats: chosen per connection from its first four bytes, as rDSN
/// does. `THFT` (Java, Go, Python, Node.js clients) is decoded as is; `RDSN` (C++ client, shell)
/// is cut by ``RdsnFrameCutter`` and relayed as THFT (the translation of `RdsnThriftAdapter`, done
/// in place), so ``ProxyConnectionHandler`` serves both with the same routing, failover, coalescing and upstream pool. Anything else
/// (including HTTP, which MetaServers would answer) closes the connection as a bad frame.
///
/// THFT pipeline: ``ProxyConnectionHandler`` alone (it cuts the frames). RDSN pipeline:
/// ``RdsnFrameCutter`` → ``ProxyConnectionHandler`` (the cutter calls the handler directly) (docs/protocol.md, "How meta-proxy serves RDSN connections").
enum ClientFormat {
    /// The detector to put in front of ``ProxyConnectionHandler``.
    /// - Parameters:
    ///   - maxFrameBytes: The largest RDSN request frame accepted, header included (THFT frames
    ///     are cut and checked by ``ProxyConnectionHandler`` itself, under the same limit).
    ///   - metrics: Where RDSN requests are counted.
    static func detector(maxFrameBytes: Int, metrics: ProxyMetrics) -> ConnectionFormatDetector {
        ConnectionFormatDetector { format, context in
            let sync = context.pipeline.syncOperations
            let here = context.handler
            switch format {
            case .thft:
                // ProxyConnectionHandler reads THFT bytes itself.
                return
            case .rdsn:
                let handler = try sync.handler(type: ProxyConnectionHandler.self)
                let handlerContext = try sync.context(handlerType: ProxyConnectionHandler.self)
                try sync.addHandlers(
                    [
                        RdsnFrameCutter(
                            maxFrameBytes: maxFrameBytes, target: handler, targetContext: handlerContext,
                            metrics: metrics)
                    ],
                    position: .after(here))
            case .http, nil:
                throw WireError(.badMagic, detail: "connection starts with neither THFT nor RDSN")
            }
        }
    }
}

import NIOCore
import PegasusWire

/// Fuzzes what a MetaServer sends the proxy: a reply stream, the typed results, the proxy's peeks
/// (`peekForward`, `peekError`) and the Thrift skipper on arbitrary bytes and types.
///
/// Invariants: nothing traps; whole and byte-by-byte delivery agree; a decoded frame re-encoded under
/// another seqid decodes to the same frame; a decoded `QueryConfigResponse` survives encode/decode and
/// `peekForward` on its canonical encoding finds its `err` and leader.
enum ReplyFuzzer {
    /// The proxy's upstream reply limit is larger; this is enough for inputs of at most 64 KiB.
    static let maxFrameBytes = 1 << 20

    /// Schemas the skipper is driven with, picked by the input's first byte (its value / 12).
    static let schemas: [ThriftSchema] = [
        QueryConfigResponse.schema,
        PartitionConfiguration.schema,
        ListAppsResponse.schema,
        .structure([0: QueryConfigResponse.schema]),
        .list(.hostPort),
        .map(key: .string, value: .list(.rpcAddress)),
    ]

    static func run(_ bytes: [UInt8]) {
        let outcome = StreamDecoding.consistentOutcome(
            of: ResponseFrameDecoder(maxFrameBytes: maxFrameBytes), bytes: bytes)
        _ = StreamDecoding.outcome(of: ResponseFrameDecoder(maxFrameBytes: 64), bytes: bytes, chunkSize: nil)
        for frame in outcome.frames {
            check(frame)
        }
        skipAll(bytes)
    }

    /// The skipper on raw bytes: the first byte picks a Thrift type (its value % 12) and a schema (its
    /// value / 12), the rest is the value.
    private static func skipAll(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let value = ByteBuffer(bytes: bytes.dropFirst())
        let types = ThriftType.allCases
        var generic = ThriftReader(value)
        _ = try? generic.skip(types[Int(selector) % types.count])
        var bySchema = ThriftReader(value)
        _ = try? bySchema.skip(schemas[Int(selector) / types.count % schemas.count])
        var shallow = ThriftReader(value, maxDepth: 2)
        _ = try? shallow.skip(.struct)
        _ = try? QueryConfigResponse.peekForward(body: value)
        _ = try? QueryConfigResponse.peekError(body: value)
    }

    private static func check(_ frame: ResponseFrame) {
        _ = try? frame.decodeResult(ListAppsResponse.self)
        _ = try? frame.decodeResult(DuplicationQueryResponse.self)
        _ = try? frame.decodeResult(ClusterInfoResponse.self)
        _ = try? frame.decodeResult(NegotiationResponse.self)
        _ = try? QueryConfigResponse.peekForward(body: frame.body)
        _ = try? QueryConfigResponse.peekError(body: frame.body)

        var relayed = ByteBuffer()
        frame.encode(seqid: 99, into: &relayed)
        do {
            let again = try ResponseFrame.read(from: &relayed)
            var expected = frame
            expected.message.seqid = 99
            FuzzCheck.that(again == expected, "relayed reply decodes differently: \(again) vs \(expected)")
        } catch {
            FuzzCheck.fail("relayed reply does not decode: \(error)")
        }

        guard let response = try? frame.decodeResult(QueryConfigResponse.self) else { return }
        let canonical = ResponseFrame.reply(requestName: RpcName.queryConfig, seqid: 1, result: response)
        guard let again = try? canonical.decodeResult(QueryConfigResponse.self) else {
            FuzzCheck.fail("re-encoded query_cfg_response does not decode: \(response)")
        }
        FuzzCheck.that(again == response, "query_cfg_response does not survive encode/decode: \(again) vs \(response)")
        guard let peek = try? QueryConfigResponse.peekForward(body: canonical.body) else {
            FuzzCheck.fail("peekForward fails on a canonical query_cfg_response: \(response)")
        }
        FuzzCheck.that(peek.err == response.err, "peekForward err \(peek.err), decoded \(response.err)")
        let primary = response.partitions.first?.primary
        FuzzCheck.that(
            peek.leader == (primary?.isInvalid == false ? primary : nil),
            "peekForward leader \(String(describing: peek.leader)), decoded \(String(describing: primary))"
        )
        let hostPort = response.partitions.first?.hpPrimary
        FuzzCheck.that(
            peek.leaderHostPort == (hostPort?.isInvalid == false ? hostPort : nil),
            "peekForward host_port \(String(describing: peek.leaderHostPort)), decoded \(String(describing: hostPort))"
        )
        FuzzCheck.that(
            (try? QueryConfigResponse.peekError(body: canonical.body)) == response.err,
            "peekError disagrees with the decoded err \(response.err)"
        )
    }
}

import Benchmark
import NIOCore
import PegasusWire

// Codec cost of one proxied QueryConfig, piece by piece, with malloc counts per iteration.
// Run: cd Benchmarks && swift package benchmark --target CodecBenchmarks

/// The frames one proxied query handles: the client's request, and the MetaServer's reply.
struct RelayFixture {
    /// A client request frame (THFT v1 header, as the Java client sends).
    let request: ByteBuffer
    /// A MetaServer reply frame: ERR_OK, a table of 8 partitions with 3 replicas each.
    let reply: ByteBuffer
    /// The decoded reply, for the encode benchmark.
    let response: QueryConfigResponse
    /// The same request with a THFT v0 header (Go, Python, Node.js clients).
    let requestV0: ByteBuffer
    /// The same request as an RDSN frame (C++ client), CRCs left 0 as rDSN does by default.
    let requestRdsn: ByteBuffer

    init() {
        var request = ByteBuffer()
        RequestFrame.make(
            header: RequestHeader(version: .v1, clientTimeout: 5000), name: RpcName.queryConfig, seqid: 7,
            args: QueryConfigRequest(appName: "orders_2024")
        ).encode(into: &request)
        self.request = request
        var requestV0 = ByteBuffer()
        RequestFrame.make(
            header: RequestHeader(version: .v0, clientTimeout: 5000), name: RpcName.queryConfig, seqid: 7,
            args: QueryConfigRequest(appName: "orders_2024")
        ).encode(into: &requestV0)
        self.requestV0 = requestV0
        var requestRdsn = ByteBuffer()
        RdsnFrame.request(
            name: RpcName.queryConfig, id: 7, timeoutMs: 5000,
            body: RdsnFrame.body(wrapping: QueryConfigRequest(appName: "orders_2024"))
        ).encode(into: &requestRdsn, checksums: .none)
        self.requestRdsn = requestRdsn

        let nodes = (0..<3).map { RpcAddress(ipv4: 0x7F00_0001, port: UInt16(34801 + $0)) }
        let partitions = (0..<Int32(8)).map { index in
            PartitionConfiguration(
                pid: Gpid(appId: 3, partitionIndex: index), ballot: 5, maxReplicaCount: 3,
                primary: nodes[Int(index) % 3], secondaries: nodes.filter { $0 != nodes[Int(index) % 3] })
        }
        let response = QueryConfigResponse(
            err: .ok, appId: 3, partitionCount: 8, isStateful: true, partitions: partitions)
        self.response = response
        var reply = ByteBuffer()
        ResponseFrame.reply(requestName: RpcName.queryConfig, seqid: 41, result: response).encode(into: &reply)
        self.reply = reply
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        warmupIterations: 1000,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )
    let fixture = RelayFixture()

    // The client's request: THFT frame, message begin (RPC name), args (table name).
    Benchmark("Decode request frame") { benchmark in
        for _ in benchmark.scaledIterations {
            var input = fixture.request
            do {
                let frame = try RequestFrame.read(from: &input)
                let request = try frame.decodeArgs(QueryConfigRequest.self)
                blackHole(frame.message.seqid)
                blackHole(request.appName)
            } catch {
                blackHole(error)
            }
        }
    }

    // The same with a THFT v0 header.
    Benchmark("Decode request frame (THFT v0)") { benchmark in
        for _ in benchmark.scaledIterations {
            var input = fixture.requestV0
            do {
                let frame = try RequestFrame.read(from: &input)
                let request = try frame.decodeArgs(QueryConfigRequest.self)
                blackHole(frame.message.seqid)
                blackHole(request.appName)
            } catch {
                blackHole(error)
            }
        }
    }

    // An RDSN request as the proxy takes it in (RdsnThriftAdapter): decode the frame, turn it into
    // the THFT request it forwards (args re-labelled, own seqid), and read the table name.
    Benchmark("RDSN request to THFT request (decode + translate)") { benchmark in
        for _ in benchmark.scaledIterations {
            var input = fixture.requestRdsn
            do {
                let frame = try RdsnFrame.read(from: &input)
                let thft = try frame.thriftRequest(seqid: 41)
                let request = try thft.decodeArgs(QueryConfigRequest.self)
                blackHole(request.appName)
            } catch {
                blackHole(error)
            }
        }
    }

    // The RDSN reply to that request (RdsnThriftAdapter.write): read the THFT client reply the
    // handler wrote, build the RDSN reply around its body and encode it (no CRCs, as asked).
    Benchmark("RDSN reply from THFT reply (read + translate + encode)") { benchmark in
        let allocator = ByteBufferAllocator()
        var requestBytes = fixture.requestRdsn
        guard let request = try? RdsnFrame.read(from: &requestBytes) else { return }
        for _ in benchmark.scaledIterations {
            var input = fixture.reply
            do {
                let reply = try ResponseFrame.read(from: &input)
                let answer = try RdsnFrame.reply(to: request, relaying: reply)
                var output = allocator.buffer(capacity: RdsnHeader.size + answer.body.readableBytes)
                answer.encode(into: &output, checksums: .none)
                blackHole(output)
            } catch {
                blackHole(error)
            }
        }
    }

    // A full reply written from typed values (what the proxy does for its own answers).
    Benchmark("Encode reply") { benchmark in
        var output = ByteBuffer()
        output.reserveCapacity(2048)
        for _ in benchmark.scaledIterations {
            output.clear()
            ResponseFrame.reply(requestName: RpcName.queryConfig, seqid: 9, result: fixture.response)
                .encode(into: &output)
            blackHole(output.writerIndex)
        }
    }

    // The relay of one reply: decode the MetaServer's frame, peek err/leader, re-encode the body
    // verbatim under the client's seqid into a new buffer (as ProxyConnectionHandler does).
    Benchmark("Relay reply (decode + re-encode under new seqid)") { benchmark in
        let allocator = ByteBufferAllocator()
        for _ in benchmark.scaledIterations {
            var input = fixture.reply
            do {
                let reply = try ResponseFrame.read(from: &input)
                let peek = try QueryConfigResponse.peekForward(body: reply.body)
                var output = allocator.buffer(capacity: 64 + reply.body.readableBytes)
                ResponseFrame.write(
                    errorName: reply.errorName, name: reply.message.name, seqid: 7, body: reply.body, into: &output)
                blackHole(peek.err)
                blackHole(output)
            } catch {
                blackHole(error)
            }
        }
    }

    // Everything the codec does for one proxied query: decode the request, write the upstream
    // request (own seqid), decode the reply, peek it, write the client reply.
    Benchmark("Relay path (request + reply)") { benchmark in
        let allocator = ByteBufferAllocator()
        let upstreamHeader = RequestHeader(clientTimeout: 3000)
        for _ in benchmark.scaledIterations {
            var request = fixture.request
            var reply = fixture.reply
            do {
                let frame = try RequestFrame.read(from: &request)
                let query = try frame.decodeArgs(QueryConfigRequest.self)
                var upstream = allocator.buffer(
                    capacity: 64 + frame.args.readableBytes + RpcName.queryConfig.utf8.count)
                RequestFrame.write(
                    header: upstreamHeader, name: RpcName.queryConfig, seqid: 41, args: frame.args, into: &upstream)
                let response = try ResponseFrame.read(from: &reply)
                let peek = try QueryConfigResponse.peekForward(body: response.body)
                var output = allocator.buffer(capacity: 64 + response.body.readableBytes)
                ResponseFrame.write(
                    errorName: response.errorName, name: response.message.name, seqid: frame.message.seqid,
                    body: response.body, into: &output)
                blackHole(query.appName)
                blackHole(upstream)
                blackHole(peek.err)
                blackHole(output)
            } catch {
                blackHole(error)
            }
        }
    }

    // The same query as the proxy runs it since round 7 (BENCHMARKS.md): the request read in one
    // pass (`decodeNext`), the upstream request and the client reply written from templates into
    // reused buffers, the usual ERR_OK reply recognised by its head.
    Benchmark("Relay path, one pass (decodeNext + templates)") { benchmark in
        var decoder = RequestFrameDecoder(maxFrameBytes: 1 << 20)
        var replies = ResponseFrameDecoder(maxFrameBytes: 1 << 20)
        var upstream = ByteBufferAllocator().buffer(capacity: 512)
        var output = ByteBufferAllocator().buffer(capacity: 1024)
        for _ in benchmark.scaledIterations {
            var request = fixture.request
            var reply = fixture.reply
            upstream.clear()
            output.clear()
            do {
                guard case .queryConfig(let call)? = try decoder.decodeNext(buffer: &request),
                    let response = try replies.decode(buffer: &reply)
                else { continue }
                RequestFrameTemplate.queryConfig.write(seqid: 41, clientTimeoutMs: 3000, args: call.args, into: &upstream)
                let err = try QueryConfigResponse.peekError(body: response.body)
                ResponseFrameTemplate.queryConfigOK.write(seqid: call.seqid, body: response.body, into: &output)
                blackHole(call.table)
                blackHole(err)
                blackHole(upstream.writerIndex)
                blackHole(output.writerIndex)
            } catch {
                blackHole(error)
            }
        }
    }
}

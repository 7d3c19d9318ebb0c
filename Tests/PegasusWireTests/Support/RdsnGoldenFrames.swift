import Foundation
import NIOCore
import PegasusWire

/// Golden `RDSN` frames spelled out byte by byte from the offsets table in docs/protocol.md
/// ("RDSN native frames"), each field derived from apache/incubator-pegasus (paths below are in
/// that repository). Every multi-byte header field is little-endian (the raw x86-64 struct); the
/// body is Thrift binary, so big-endian.
///
/// The CRC values were computed with `integration/tools/rdsn_crc_check.py --compute` and confirmed by
/// rDSN's own `src/utils/crc.cpp` (`crc32_calc`, `crc32_concat`) run on these bytes.
enum RdsnGoldenFrames {
    /// `count` zero bytes.
    static func zeros(_ count: Int) -> [UInt8] {
        [UInt8](repeating: 0, count: count)
    }

    /// A 48-byte name field: the ASCII text, NUL-padded (`strncpy(dst, src, 47); dst[47] = 0`).
    static func name48(_ text: String) -> [UInt8] {
        Array(text.utf8) + zeros(48 - text.utf8.count)
    }

    /// The query-config request body the C++ client writes for table `temp`, all partitions
    /// (`src/client/partition_resolver_simple.cpp` `query_config(-1, ...)`: `app_name` = the table,
    /// no partition index; `marshall` -> `marshall_thrift_internal` in
    /// `src/common/serialization_helper/thrift_helper.h`). 24 bytes.
    static let requestBody: [UInt8] =
        [0x0c, 0x00, 0x00]  // wrapper "thrift_rpc_result": field "success", type STRUCT (12), id 0
        + [0x0b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04] + Array("temp".utf8)  // 1 app_name: STRING "temp"
        + [0x0f, 0x00, 0x02, 0x08, 0x00, 0x00, 0x00, 0x00]  // 2 partition_indices: LIST<I32>, 0 elements
        + [0x00]  // end of query_cfg_request
        + [0x00]  // end of the wrapper

    /// What the C++ client sends for `query_config` of table `temp` with the default
    /// configuration (no CRCs). 216 bytes.
    static let request: [UInt8] = {
        var bytes: [UInt8] = []
        // 0 hdr_type: `hdr.hdr_type = 0x4e534452` (message_ex::create_request, src/rpc/rpc_message.cpp),
        //   stored little-endian: the bytes "RDSN".
        bytes += [0x52, 0x44, 0x53, 0x4e]
        // 4 hdr_version: never assigned after the header is zeroed (memset in create_request).
        bytes += [0x00, 0x00, 0x00, 0x00]
        // 8 hdr_length: sizeof(message_header) = 192 = 0xc0.
        bytes += [0xc0, 0x00, 0x00, 0x00]
        // 12 hdr_crc32: CRC_INVALID (0). `rpc_message_crc_required` is false by default
        //   (src/task/task_spec.h), so dsn_message_parser::prepare_on_send computes no CRC.
        bytes += [0x00, 0x00, 0x00, 0x00]
        // 16 body_length: 24 = 0x18.
        bytes += [0x18, 0x00, 0x00, 0x00]
        // 20 body_crc32: CRC_INVALID (0), as above.
        bytes += [0x00, 0x00, 0x00, 0x00]
        // 24 id: message_ex::new_id(), a per-process counter; 258 = 0x102 here.
        bytes += [0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        // 32 trace_id: random u64 set by rpc_engine::call; 0x1122334455667788 here.
        bytes += [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]
        // 40 rpc_name: the task code's name, 38 characters, then 10 NULs.
        bytes += name48("RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX")
        // 88 rpc_code.local_code: the code's number in the client process (0x123 here, arbitrary);
        // 92 rpc_code.local_hash: FLAGS_local_hash, 0 by default, so receivers look the name up.
        bytes += [0x23, 0x01, 0x00, 0x00] + [0x00, 0x00, 0x00, 0x00]
        // 96 gpid: app_id 0, partition_index 0 (never set for meta queries).
        bytes += zeros(8)
        // 104 context: is_request (bit 0) | serialize_format DSF_THRIFT_BINARY = 1 (bits 6-9)
        //   | is_forward_supported (bit 10) = 0x441.
        bytes += [0x41, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        // 112 from_address: the client's primary address (rpc_engine::call), here 10.1.2.3 with
        //   port 1 (a pure client's port is its app id): (ip << 32) | (port << 16) | type 1
        //   = 0x0a01020300010001, little-endian.
        bytes += [0x01, 0x00, 0x01, 0x00, 0x03, 0x02, 0x01, 0x0a]
        // 120 client.timeout_ms: 5000 = 0x1388 (the task's rpc_timeout_milliseconds default).
        bytes += [0x88, 0x13, 0x00, 0x00]
        // 124 client.thread_hash: 0.
        bytes += [0x00, 0x00, 0x00, 0x00]
        // 128 client.partition_hash: 0.
        bytes += zeros(8)
        // 136 server.error_name: empty in a request.
        bytes += zeros(48)
        // 184 server.error_code: local_code 0, local_hash 0.
        bytes += zeros(8)
        // 192 body.
        bytes += requestBody
        return bytes
    }()

    /// The same request as sent with `rpc_message_crc_required = true`: body_crc32 first, then
    /// hdr_crc32 over the 192 header bytes with hdr_crc32 zero.
    static let requestWithChecksums: [UInt8] = {
        var bytes = request
        // 12 hdr_crc32 = 0x1e474995.
        bytes.replaceSubrange(12..<16, with: [0x95, 0x49, 0x47, 0x1e])
        // 20 body_crc32 = CRC-32C of the 24 body bytes = 0xb47a9c7b.
        bytes.replaceSubrange(20..<24, with: [0x7b, 0x9c, 0x7a, 0xb4])
        return bytes
    }()

    /// Offset of the result struct in `resp_query_cfg_ok_flags.hex`: 4 total_length + 10
    /// "ERR_OK" + 4 message begin + 46 reply name + 4 seqid.
    static let thftReplyBodyOffset = 68

    /// The result struct of the THFT golden reply `resp_query_cfg_ok_flags.hex` (408 bytes): table
    /// `temp`, app_id 2, 4 partitions. The RDSN reply carries it unchanged.
    static func replyBody() throws -> [UInt8] {
        Array(try GoldenVectors.bytes("resp_query_cfg_ok_flags.hex").dropFirst(thftReplyBodyOffset))
    }

    /// The reply the proxy sends to `request`, carrying the MetaServer's answer, with CRCs, from
    /// the proxy address 10.1.2.100:34601. 600 bytes.
    static func reply() throws -> [UInt8] {
        var bytes: [UInt8] = []
        // 0 hdr_type, 4 hdr_version, 8 hdr_length: copied from the request
        //   (message_ex::create_response: `hdr = *header`).
        bytes += [0x52, 0x44, 0x53, 0x4e] + [0x00, 0x00, 0x00, 0x00] + [0xc0, 0x00, 0x00, 0x00]
        // 12 hdr_crc32 = 0x06482af6 (computed last, over the header with this field zero).
        bytes += [0xf6, 0x2a, 0x48, 0x06]
        // 16 body_length: 408 = 0x198.
        bytes += [0x98, 0x01, 0x00, 0x00]
        // 20 body_crc32 = CRC-32C of the 408 body bytes = 0x75cb8389.
        bytes += [0x89, 0x83, 0xcb, 0x75]
        // 24 id: the request's (258), which the client matches on (rpc_client_matcher::on_recv_reply).
        bytes += [0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        // 32 trace_id: the request's.
        bytes += [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]
        // 40 rpc_name: the paired code's name, the request name + "_ACK" (42 characters, 6 NULs).
        bytes += name48("RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK")
        // 88 rpc_code: 0/0, so the client goes by name (the proxy cannot know its code numbers).
        bytes += zeros(8)
        // 96 gpid: the request's (0.0).
        bytes += zeros(8)
        // 104 context: the request's with is_request cleared = 0x440.
        bytes += [0x40, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        // 112 from_address: the replying server, 10.1.2.100:34601 = 0x0a01026487290001.
        bytes += [0x01, 0x00, 0x29, 0x87, 0x64, 0x02, 0x01, 0x0a]
        // 120 client.timeout_ms 5000, 124 thread_hash 0, 128 partition_hash 0: the request's.
        bytes += [0x88, 0x13, 0x00, 0x00] + [0x00, 0x00, 0x00, 0x00] + zeros(8)
        // 136 server.error_name: "ERR_OK" (rpc_engine::reply), 42 NULs.
        bytes += name48("ERR_OK")
        // 184 server.error_code: 0/0, so the client goes by name.
        bytes += zeros(8)
        // 192 body: the THFT reply's result struct, byte for byte.
        bytes += try replyBody()
        return bytes
    }

    /// 10.1.2.3:1, the client address in `request`.
    static let clientAddress = RpcAddress(ipv4: 0x0a01_0203, port: 1)
    /// 10.1.2.100:34601, the proxy address in `reply`.
    static let proxyAddress = RpcAddress(ipv4: 0x0a01_0264, port: 34601)

    /// `bytes` as lowercase hex, 64 digits per line (the shared testdata format).
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = bytes.map { String(format: "%02x", $0) }.joined()
        var lines: [Substring] = []
        var rest = Substring(digits)
        while !rest.isEmpty {
            lines.append(rest.prefix(64))
            rest = rest.dropFirst(64)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

import Foundation
import NIOCore
import PegasusWire

/// Loads the golden vectors from `Tests/Fixtures/pegasus-rpc` (see its README.md).
enum GoldenVectors {
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// `<repo root>/Tests/Fixtures/pegasus-rpc`, the repo root found by walking up from this file.
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                break
            }
            url = url.deletingLastPathComponent()
        }
        return url.appendingPathComponent("Tests/Fixtures/pegasus-rpc")
    }()

    /// Every request vector file name.
    static let requestFiles = [
        "req_query_cfg_v0_pypegasus3.hex", "req_query_cfg_v1_javalayout.hex", "req_list_apps_v0.hex",
        "req_negotiation_v1_javalayout.hex", "req_query_dup_v0.hex",
    ]

    /// Every reply vector file name.
    static let responseFiles = [
        "resp_query_cfg_ok.hex", "resp_query_cfg_ok_flags.hex", "resp_query_cfg_ok_hostport.hex",
        "resp_query_cfg_forward.hex", "resp_query_cfg_forward_flags.hex", "resp_query_cfg_forward_hostport.hex",
        "resp_query_cfg_not_found.hex", "resp_handler_not_found.hex", "resp_list_apps_ok.hex",
        "resp_negotiation_auth_disable.hex", "resp_query_dup_ok_master.hex", "resp_query_dup_ok_v25.hex",
        "resp_query_dup_ok_progress.hex", "resp_query_dup_app_not_exist.hex", "resp_query_dup_forward.hex",
    ]

    /// The bytes of one `.hex` file.
    static func bytes(_ name: String) throws -> [UInt8] {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        let digits = Array(text.unicodeScalars.filter { !$0.properties.isWhitespace })
        guard digits.count % 2 == 0 else {
            throw LoadError(description: "\(name): odd number of hex digits")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(digits[index]) + String(digits[index + 1]), radix: 16) else {
                throw LoadError(description: "\(name): bad hex at \(index)")
            }
            bytes.append(byte)
        }
        return bytes
    }

    /// The bytes of one `.hex` file in a `ByteBuffer`.
    static func buffer(_ name: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try bytes(name))
    }

    /// `expected.json`, decoded.
    static func expected() throws -> [String: ExpectedVector] {
        let data = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ExpectedFile.self, from: data).vectors
    }
}

struct ExpectedFile: Decodable {
    var vectors: [String: ExpectedVector]
}

/// One entry of `expected.json`; every key optional, as the vectors use different subsets.
struct ExpectedVector: Decodable {
    var appId: Int32?
    var argsFieldId: Int16?
    var headerVersion: Int32?
    var messageType: String?
    var partitionIndex: Int32?
    var rpcName: String?
    var seqid: Int32?
    var status: Int32?
    var meta: ExpectedMeta?
    var msg: String?
    var statusName: String?
    var appName: String?
    var bodyCrc32: UInt32?
    var bodyLength: Int?
    var clientTimeout: Int32?
    var hdrCrc32: UInt32?
    var headerLength: Int?
    var partitionHash: UInt64?
    var partitionIndices: [Int32]?
    var threadHash: Int32?
    var metaLength: Int?
    var body: String?
    var errorName: String?
    var err: String?
    var infos: [ExpectedAppInfo]?
    var resultFieldId: Int16?
    var isStateful: Bool?
    var partitionCount: Int32?
    var partitions: [ExpectedPartition]?
}

struct ExpectedMeta: Decodable {
    var appId: Int32
    var clientPartitionHash: Int64
    var clientTimeout: Int32
    var isBackupRequest: Bool
    var partitionIndex: Int32
}

struct ExpectedAppInfo: Decodable {
    var appId: Int32
    var appName: String
    var appType: String
    var createSecond: Int64
    var dropSecond: Int64
    var duplicating: Bool?
    var envs: [String: String]
    var expireSecond: Int64
    var initPartitionCount: Int32
    var isStateful: Bool
    var maxReplicaCount: Int32
    var partitionCount: Int32
    var status: Int32
}

struct ExpectedPartition: Decodable {
    var appId: Int32
    var ballot: Int64
    var lastCommittedDecree: Int64
    var lastDrops: [String]
    var maxReplicaCount: Int32
    var pidx: Int32
    var primary: String
    var secondaries: [String]
    var partitionFlags: Int32?
    var hpPrimary: String?
    var hpSecondaries: [String]?
    var hpLastDrops: [String]?
}

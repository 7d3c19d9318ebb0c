#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import PegasusWire

/// Decoders for the JSON bodies of the MetaServer and ReplicaServer HTTP endpoints
/// (docs/pegasus-reference.md §10.2, §10.5, §12.4, §12.5).
enum MetaHTTPBody {
    /// Decodes `body` as `T`, mapping any failure to ``ProbeError/Code-swift.struct/invalidResponse``.
    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], url: String) throws(ProbeError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch {
            throw ProbeError(.invalidResponse, url: url, detail: "\(error); body: \(Self.excerpt(body))")
        }
    }

    /// The first bytes of a body as text, for error messages.
    static func excerpt(_ body: [UInt8], limit: Int = 200) -> String {
        let text = String(decoding: body.prefix(limit), as: UTF8.self)
        return body.count > limit ? text + "…" : text
    }
}

/// A dynamic JSON object key.
struct JSONKey: CodingKey {
    var stringValue: String
    var intValue: Int? { Int(self.stringValue) }

    init(_ string: String) {
        self.stringValue = string
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        self.stringValue = String(intValue)
    }
}

extension KeyedDecodingContainer {
    /// Decodes an integer that may be sent as a JSON number or as a JSON string holding one.
    func decodeInteger<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        if let value = try? self.decode(T.self, forKey: key) {
            return value
        }
        let text = try self.decode(String.self, forKey: key)
        guard let value = T(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not an integer: \(text)")
        }
        return value
    }

    /// ``decodeInteger(_:forKey:)`` for an optional key.
    func decodeIntegerIfPresent<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard self.contains(key), try !self.decodeNil(forKey: key) else { return nil }
        return try self.decodeInteger(T.self, forKey: key)
    }
}

/// A flat JSON object of scalars (`table_printer` output): every scalar becomes its text, nested values are skipped.
struct JSONStringMap: Decodable {
    var fields: [String: String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONKey.self)
        var fields: [String: String] = [:]
        for key in container.allKeys {
            if let text = try? container.decode(String.self, forKey: key) {
                fields[key.stringValue] = text
            } else if let number = try? container.decode(Int64.self, forKey: key) {
                fields[key.stringValue] = String(number)
            } else if let flag = try? container.decode(Bool.self, forKey: key) {
                fields[key.stringValue] = String(flag)
            }
        }
        self.fields = fields
    }
}

/// `GET /meta/app?name=T`: `{"general":{"app_name":…,"app_id":"2","partition_count":"8",…},…}`.
struct MetaAppBody: Decodable {
    var general: JSONStringMap

    /// The typed `general` section; `nil` when a required field is missing or not a number.
    var info: MetaAppInfo? {
        let fields = self.general.fields
        guard let appIdText = fields["app_id"], let appId = Int32(appIdText),
            let countText = fields["partition_count"], let partitionCount = Int(countText)
        else { return nil }
        return MetaAppInfo(
            appName: fields["app_name"] ?? "",
            appId: appId,
            partitionCount: partitionCount,
            maxReplicaCount: fields["max_replica_count"].flatMap { Int($0) }
        )
    }
}

/// `GET /meta/app/duplication?name=T`: `{"1":{entry},"2":{entry},"appid":2}` or `null`.
/// The numeric keys are list positions, not dupids; entries are returned in that order.
struct DuplicationListBody: Decodable {
    var duplications: TableDuplications

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONKey.self)
        var appId: Int32?
        var positioned: [(position: Int, entry: DuplicationEntry)] = []
        for key in container.allKeys {
            if key.stringValue == "appid" {
                appId = try container.decodeInteger(Int32.self, forKey: key)
            } else if let position = Int(key.stringValue) {
                positioned.append((position, try container.decode(DuplicationEntryBody.self, forKey: key).entry))
            }
        }
        positioned.sort { $0.position < $1.position }
        self.duplications = TableDuplications(appId: appId, entries: positioned.map(\.entry))
    }
}

/// One entry of the duplication list, nlohmann::json style (real numbers, sorted keys), as PegasusWire's
/// `DuplicationEntry`: `status` and `fail_mode` are IDL names; the fields the JSON lacks keep their defaults.
struct DuplicationEntryBody: Decodable {
    var entry: DuplicationEntry

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONKey.self)
        var partitionStates: [Int32: DuplicationPartitionState]?
        let statesKey = JSONKey("partition_states")
        if let states = try container.decodeIfPresent([String: PartitionStateBody].self, forKey: statesKey) {
            var byIndex: [Int32: DuplicationPartitionState] = [:]
            for (key, state) in states {
                guard let index = Int32(key) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: statesKey,
                        in: container,
                        debugDescription: "partition index is not an integer: \(key)"
                    )
                }
                byIndex[index] = state.state
            }
            partitionStates = byIndex
        }
        let dupid = try container.decodeInteger(Int32.self, forKey: JSONKey("dupid"))
        let remote = try container.decode(String.self, forKey: JSONKey("remote"))
        let status = try container.decode(String.self, forKey: JSONKey("status"))
        let failMode = try container.decodeIfPresent(String.self, forKey: JSONKey("fail_mode"))
        self.entry = DuplicationEntry(
            dupid: dupid,
            status: DuplicationStatus(idlName: status),
            remote: remote,
            failMode: failMode.map(DuplicationFailMode.init(idlName:)),
            remoteAppName: try container.decodeIfPresent(String.self, forKey: JSONKey("remote_app_name")),
            partitionStates: partitionStates
        )
    }
}

/// `{"confirmed_decree":95,"last_committed_decree":100}`.
struct PartitionStateBody: Decodable {
    var state: DuplicationPartitionState

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONKey.self)
        self.state = DuplicationPartitionState(
            confirmedDecree: try container.decodeInteger(Int64.self, forKey: JSONKey("confirmed_decree")),
            lastCommittedDecree: try container.decodeInteger(Int64.self, forKey: JSONKey("last_committed_decree"))
        )
    }
}

/// `GET /replica/duplication?appid=N`: `{"<dupid>":{"<app>.<pidx>":{state}}}`.
struct ReplicaDuplicationBody: Decodable {
    var states: [Int32: [Gpid: ReplicaDuplicationState]]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONKey.self)
        var states: [Int32: [Gpid: ReplicaDuplicationState]] = [:]
        for dupKey in container.allKeys {
            guard let dupid = Int32(dupKey.stringValue) else {
                throw DecodingError.dataCorruptedError(
                    forKey: dupKey,
                    in: container,
                    debugDescription: "dupid is not an integer"
                )
            }
            let partitions = try container.nestedContainer(keyedBy: JSONKey.self, forKey: dupKey)
            var byGpid: [Gpid: ReplicaDuplicationState] = [:]
            for gpidKey in partitions.allKeys {
                guard let gpid = Gpid(parsing: gpidKey.stringValue) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: gpidKey,
                        in: partitions,
                        debugDescription: "gpid is not <app_id>.<pidx>"
                    )
                }
                byGpid[gpid] = try partitions.decode(ReplicaStateBody.self, forKey: gpidKey).state
            }
            states[dupid] = byGpid
        }
        self.states = states
    }
}

/// `{"duplicating":true,"fail_mode":"FAIL_SLOW","not_confirmed_mutations_num":5,…}`.
struct ReplicaStateBody: Decodable {
    var state: ReplicaDuplicationState

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONKey.self)
        let notConfirmed = JSONKey("not_confirmed_mutations_num")
        let notDuplicated = JSONKey("not_duplicated_mutations_num")
        self.state = ReplicaDuplicationState(
            duplicating: try container.decode(Bool.self, forKey: JSONKey("duplicating")),
            failMode: try container.decodeIfPresent(String.self, forKey: JSONKey("fail_mode"))
                .map(DuplicationFailMode.init(idlName:)),
            notConfirmedMutations: try container.decodeInteger(Int64.self, forKey: notConfirmed),
            notDuplicatedMutations: try container.decodeInteger(Int64.self, forKey: notDuplicated),
            remoteAppName: try container.decodeIfPresent(String.self, forKey: JSONKey("remote_app_name"))
        )
    }
}

import PegasusWire

/// Typed probes of the MetaServer (and ReplicaServer) HTTP endpoints
/// (docs/pegasus-reference.md §10, §12.4, §12.5).
///
/// Addresses are plain `host:port` strings. Redirects are never followed here: leader-only endpoints
/// return ``MetaHTTPProbe/LeaderReply/redirected(leader:)`` and the caller decides whether to ask the leader.
public struct MetaHTTPProbe: Sendable {
    /// The answer of a leader-only MetaServer endpoint: the leader's result, or a redirect to the leader.
    public enum LeaderReply<Value: Sendable>: Sendable {
        /// The MetaServer asked is the leader and answered (HTTP 200).
        case answered(Value)
        /// The MetaServer asked is not the leader (HTTP 307). `leader` is the `host:port` from `Location`,
        /// or `nil` when it does not parse (a follower that does not know the leader sends `invalid host_port`).
        case redirected(leader: String?)
    }

    /// The transport.
    public let client: CurlHTTPClient
    /// The timeout of each request.
    public var timeout: Duration

    /// Creates a probe.
    /// - Parameters:
    ///   - client: The HTTP client.
    ///   - timeout: The timeout of each request.
    public init(client: CurlHTTPClient, timeout: Duration) {
        self.client = client
        self.timeout = timeout
    }

    /// `GET /version`: answered by every MetaServer, leader or not; the cheapest liveness probe.
    /// - Parameter meta: The MetaServer `host:port`.
    /// - Returns: The version and git commit.
    /// - Throws: ``ProbeError``; a status other than 200 is `unexpectedStatus`.
    public func version(meta: String) async throws(ProbeError) -> MetaVersion {
        let (url, response) = try await self.get(address: meta, path: "/version")
        guard response.status == 200 else { throw Self.unexpected(response, url: url) }
        return try MetaHTTPBody.decode(MetaVersion.self, from: response.body, url: url)
    }

    /// `GET /meta/cluster`: the leader answers 200 with `primary_meta_server`; a follower answers 307.
    ///
    /// When the leader's `primary_meta_server` does not parse as `host:port`, the address asked is
    /// reported as the leader (only the leader serves this endpoint).
    /// - Parameter meta: The MetaServer `host:port`.
    /// - Returns: The cluster info, or the redirect (with `leader` `nil` when `Location` does not parse).
    /// - Throws: ``ProbeError``; a status other than 200 or 307 is `unexpectedStatus`.
    public func cluster(meta: String) async throws(ProbeError) -> LeaderReply<MetaClusterInfo> {
        try await self.leaderOnly(meta: meta, path: "/meta/cluster") { body, url throws(ProbeError) in
            var info = MetaClusterInfo(fields: try MetaHTTPBody.decode(JSONStringMap.self, from: body, url: url).fields)
            if info.primaryMetaServer == nil {
                info.primaryMetaServer = meta
            }
            return info
        }
    }

    /// `GET /meta/app?name=<table>`: the table's app id and partition count (leader only).
    /// - Parameters:
    ///   - meta: The MetaServer `host:port`.
    ///   - table: The table name.
    /// - Returns: The `general` section, or the redirect.
    /// - Throws: ``ProbeError``; 404 (no such table) and other statuses are `unexpectedStatus`.
    public func app(meta: String, table: String) async throws(ProbeError) -> LeaderReply<MetaAppInfo> {
        let path = "/meta/app?name=\(Self.percentEncoded(table))"
        return try await self.leaderOnly(meta: meta, path: path) { body, url throws(ProbeError) in
            guard let info = try MetaHTTPBody.decode(MetaAppBody.self, from: body, url: url).info else {
                throw ProbeError(
                    .invalidResponse,
                    url: url,
                    status: 200,
                    detail: "general.app_id or general.partition_count missing: \(MetaHTTPBody.excerpt(body))"
                )
            }
            return info
        }
    }

    /// `GET /meta/app/duplication?name=<table>`: the table's duplications (leader only).
    ///
    /// A body of `null` (the table has no duplication) gives an empty report with no app id. The
    /// report's `partitionCount` is not set (the endpoint does not carry it; see ``app(meta:table:)``).
    /// - Parameters:
    ///   - meta: The MetaServer `host:port`.
    ///   - table: The table name.
    /// - Returns: The duplications, or the redirect.
    /// - Throws: ``ProbeError``; 404 (no such table, duplication disabled) and others are `unexpectedStatus`.
    public func duplication(meta: String, table: String) async throws(ProbeError) -> LeaderReply<TableDuplications> {
        let path = "/meta/app/duplication?name=\(Self.percentEncoded(table))"
        return try await self.leaderOnly(meta: meta, path: path) { body, url throws(ProbeError) in
            let list = try MetaHTTPBody.decode(DuplicationListBody?.self, from: body, url: url)
            return list?.duplications ?? TableDuplications()
        }
    }

    /// `GET /replica/duplication?appid=<id>` on a ReplicaServer (v2.4/v2.5 path): live lag of the primaries it hosts.
    ///
    /// A 404 (the server hosts no primary of the app, or the app has no duplication) gives an empty map.
    /// - Parameters:
    ///   - replica: The ReplicaServer `host:port`.
    ///   - appId: The table's app id.
    /// - Returns: dupid → gpid → state.
    /// - Throws: ``ProbeError``; statuses other than 200 and 404 are `unexpectedStatus`.
    public func replicaDuplication(
        replica: String,
        appId: Int32
    ) async throws(ProbeError) -> [Int32: [Gpid: ReplicaDuplicationState]] {
        let (url, response) = try await self.get(address: replica, path: "/replica/duplication?appid=\(appId)")
        switch response.status {
        case 200:
            return try MetaHTTPBody.decode(ReplicaDuplicationBody.self, from: response.body, url: url).states
        case 404:
            return [:]
        default:
            throw Self.unexpected(response, url: url)
        }
    }

    /// Validates the address, builds the URL and performs the GET.
    private func get(address: String, path: String) async throws(ProbeError) -> (String, HTTPProbeResponse) {
        guard let hostPort = Endpoint(validating: address) else {
            throw ProbeError(.invalidURL, url: address, detail: "address is not host:port")
        }
        let url = "http://\(hostPort)\(path)"
        return (url, try await self.client.get(url, timeout: self.timeout))
    }

    /// A leader-only endpoint: 200 → `.answered(parse(body, url))`, 307 → `.redirected` with the
    /// `Location`'s `host:port` (`nil` when it does not parse), anything else → `unexpectedStatus`.
    private func leaderOnly<Value>(
        meta: String,
        path: String,
        _ parse: ([UInt8], String) throws(ProbeError) -> Value
    ) async throws(ProbeError) -> LeaderReply<Value> {
        let (url, response) = try await self.get(address: meta, path: path)
        switch response.status {
        case 200:
            return .answered(try parse(response.body, url))
        case 307:
            return .redirected(leader: response.location.flatMap { Endpoint(httpLocation: $0)?.description })
        default:
            throw Self.unexpected(response, url: url)
        }
    }

    private static func unexpected(_ response: HTTPProbeResponse, url: String) -> ProbeError {
        ProbeError(.unexpectedStatus, url: url, status: response.status, detail: MetaHTTPBody.excerpt(response.body))
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    static func percentEncoded(_ text: String) -> String {
        let hex: [Character] = Array("0123456789ABCDEF")
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded.append("%")
                encoded.append(hex[Int(byte >> 4)])
                encoded.append(hex[Int(byte & 0x0F)])
            }
        }
        return encoded
    }
}

extension MetaHTTPProbe.LeaderReply: Equatable where Value: Equatable {}
extension MetaHTTPProbe.LeaderReply: Hashable where Value: Hashable {}

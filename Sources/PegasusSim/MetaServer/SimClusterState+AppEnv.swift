import PegasusWire

/// Table app envs: `RPC_CM_UPDATE_APP_ENV` on the leader (src/meta/server_state.cpp `set_app_envs`,
/// `del_app_envs`, `clear_app_envs`) and `GET /meta/app_envs`.
extension SimClusterState {
    /// Applies an update-app-env request as the leader does; the change is seen by the next request.
    mutating func updateAppEnv(_ request: UpdateAppEnvRequest) -> UpdateAppEnvResponse {
        if let invalid = Self.invalidEnvRequest(request) {
            return UpdateAppEnvResponse(err: .invalidParameters, hintMessage: invalid)
        }
        guard let tableIndex = tableIndex(named: request.appName) else {
            return UpdateAppEnvResponse(err: .appNotExist, hintMessage: "app cannot be found")
        }
        var envs = tables[tableIndex].envs
        defer { tables[tableIndex].envs = envs }
        switch request.operation {
        case .set:
            for (key, value) in zip(request.keys ?? [], request.values ?? []) {
                envs[key] = value
            }
            return UpdateAppEnvResponse(err: .ok)
        case .delete:
            let deleted = (request.keys ?? []).filter { envs.removeValue(forKey: $0) != nil }
            guard !deleted.isEmpty else {
                return UpdateAppEnvResponse(err: .ok, hintMessage: "no key needs to be deleted")
            }
            return UpdateAppEnvResponse(err: .ok, hintMessage: "deleted keys:" + deleted.map { "\n    \($0)" }.joined())
        default:
            let prefix = request.clearPrefix ?? ""
            let doomed = envs.keys.filter { prefix.isEmpty || $0.hasPrefix(prefix + ".") }
            guard !doomed.isEmpty else {
                return UpdateAppEnvResponse(err: .ok, hintMessage: "no key needs to be deleted")
            }
            for key in doomed {
                envs.removeValue(forKey: key)
            }
            return UpdateAppEnvResponse(err: .ok)
        }
    }

    /// Why the request is malformed (`ERR_INVALID_PARAMETERS`), or `nil`.
    private static func invalidEnvRequest(_ request: UpdateAppEnvRequest) -> String? {
        switch request.operation {
        case .set:
            guard let keys = request.keys, let values = request.values, keys.count == values.count, !keys.isEmpty
            else {
                return "set app envs needs as many keys as values, at least one"
            }
            for (key, value) in zip(keys, values) where key == SimClientDenial.key && SimClientDenial(value: value) == nil {
                return "Invalid deny client args, valid include: timeout*all, timeout*write, timeout*read; "
                    + "reconfig*all, reconfig*write, reconfig*read"
            }
            return nil
        case .delete:
            return request.keys?.isEmpty == false ? nil : "del app envs needs at least one key"
        case .clear:
            return request.clearPrefix == nil ? "clear app envs needs clear_prefix" : nil
        default:
            return "recv a invalid update_app_env request with op = \(request.operation)"
        }
    }

    /// `/meta/app_envs?name=<table>`: the envs as `table_printer` JSON; `{}` for an unknown table.
    func appEnvsHTTPResponse(_ request: SimHTTPRequest) -> SimHTTPResponse {
        guard let name = request.query["name"], !name.isEmpty else {
            return .error(.badRequest, "app name shouldn't be empty")
        }
        let envs = tableIndex(named: name).map { tables[$0].envs } ?? [:]
        return .printerJSON(.strings(envs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
    }

    /// What replica `index` does with a data request because of the table's
    /// `replica.deny_client_request`, or `nil` when it serves it. Only requests the replica would
    /// serve as primary are denied (the others get their routing error first).
    func clientDenial(_ index: Int, _ frame: RequestFrame) -> SimClientDenial.Action? {
        let write: Bool
        switch frame.message.name {
        case RrdbRpcName.put, RrdbRpcName.remove: write = true
        case RrdbRpcName.get, RrdbRpcName.ttl: write = false
        default: return nil
        }
        let header = frame.header
        guard let tableIndex = tableIndex(appId: header.appId),
            let value = tables[tableIndex].envs[SimClientDenial.key],
            let denial = SimClientDenial(value: value),
            let partition = Int(exactly: header.partitionIndex),
            tables[tableIndex].partitions.indices.contains(partition),
            tables[tableIndex].partitions[partition].primary == index
        else {
            return nil
        }
        return denial.action(forWrite: write)
    }
}

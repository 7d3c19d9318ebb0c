import CZooKeeper

// The C client's callbacks: private-to-the-module free functions with the exact C signatures.
//
// They run on the C client's threads (watchers and completions on its completion thread, auth completions and
// log lines also on its I/O thread and on the thread inside `zookeeper_close`). Each copies what it needs out of
// C memory before returning (the C client frees values, strings and stats right after the call), completes a
// continuation or calls a watch callback, and returns: nothing here blocks or waits for the lifecycle queue.

/// The node data and stat returned by ``ZooKeeperClient/get(_:watch:)``.
typealias NodeData = (data: [UInt8], stat: ZooKeeperStat)

/// The global watcher (`watcher_fn`) of every handle; its context is the handle's ``SessionContext``.
/// Receives only session events: requests pass their own watchers (`zoo_aw*`), never the global watch flag.
func zooKeeperSessionWatcher(
    _ handle: OpaquePointer?,
    _ type: Int32,
    _ state: Int32,
    _ path: UnsafePointer<CChar>?,
    _ watcherContext: UnsafeMutableRawPointer?
) {
    guard type == ZOO_SESSION_EVENT, let watcherContext else { return }
    let context = Unmanaged<SessionContext>.fromOpaque(watcherContext).takeUnretainedValue()
    let sessionID = handle.flatMap { zoo_client_id($0) }?.pointee.client_id ?? 0
    context.onSessionEvent(context, state, sessionID)
}

/// The watcher (`watcher_fn`) of one request's watch; its context is the watch's token (an integer, not a
/// pointer) in the ``SessionContext`` that `zoo_get_context` returns.
///
/// The C client also calls it with `ZOO_SESSION_EVENT` on every connection loss, reconnection and expiry
/// (`collectWatchers` in `zk_hashtable.c` copies all registered watchers into each session event) while the
/// watch stays registered; those are ignored here, and expiry is handled once for all watches by
/// ``SessionContext/expire()``.
func zooKeeperWatchTrampoline(
    _ handle: OpaquePointer?,
    _ type: Int32,
    _ state: Int32,
    _ path: UnsafePointer<CChar>?,
    _ watcherContext: UnsafeMutableRawPointer?
) {
    guard type != ZOO_SESSION_EVENT, let handle, let contextPointer = zoo_get_context(handle) else { return }
    let token = UInt(bitPattern: watcherContext)
    let context = Unmanaged<SessionContext>.fromOpaque(contextPointer).takeUnretainedValue()
    context.fireWatch(
        token,
        type: WatchEvent.EventType(cType: type) ?? .notWatching,
        state: SessionState(sessionEventState: state) ?? .connected
    )
}

/// The log callback (`log_callback_fn`) of every handle.
func zooKeeperLogCallback(_ message: UnsafePointer<CChar>?) {
    guard let message else { return }
    ZooKeeperLogSink.shared.log(cMessage: message)
}

/// `data_completion_t` for `zoo_awget`.
func zooKeeperDataCompletion(
    _ rc: Int32,
    _ value: UnsafePointer<CChar>?,
    _ valueLength: Int32,
    _ stat: UnsafePointer<Stat>?,
    _ data: UnsafeRawPointer?
) {
    guard let data else { return }
    let box = Unmanaged<CompletionBox<NodeData>>.fromOpaque(data).takeRetainedValue()
    guard rc == ZOK.rawValue else {
        box.finish(returnCode: rc, .failure(ZooKeeperError(cCode: rc, path: box.path)))
        return
    }
    guard let stat else {
        box.finish(returnCode: rc, .failure(ZooKeeperError(.systemError, path: box.path, detail: "reply without stat")))
        return
    }
    var bytes: [UInt8] = []
    if let value, valueLength > 0 {
        bytes = Array(UnsafeRawBufferPointer(start: value, count: Int(valueLength)))
    }
    box.finish(returnCode: rc, .success((data: bytes, stat: ZooKeeperStat(stat.pointee))))
}

/// `stat_completion_t` for `zoo_awexists`: `ZNONODE` is a successful `nil`.
func zooKeeperExistsCompletion(_ rc: Int32, _ stat: UnsafePointer<Stat>?, _ data: UnsafeRawPointer?) {
    guard let data else { return }
    let box = Unmanaged<CompletionBox<ZooKeeperStat?>>.fromOpaque(data).takeRetainedValue()
    switch rc {
    case ZOK.rawValue:
        box.finish(returnCode: rc, .success(stat.map { ZooKeeperStat($0.pointee) }))
    case ZNONODE.rawValue:
        box.finish(returnCode: rc, .success(nil))
    default:
        box.finish(returnCode: rc, .failure(ZooKeeperError(cCode: rc, path: box.path)))
    }
}

/// `stat_completion_t` for `zoo_aset`.
func zooKeeperStatCompletion(_ rc: Int32, _ stat: UnsafePointer<Stat>?, _ data: UnsafeRawPointer?) {
    guard let data else { return }
    let box = Unmanaged<CompletionBox<ZooKeeperStat>>.fromOpaque(data).takeRetainedValue()
    if rc == ZOK.rawValue, let stat {
        box.finish(returnCode: rc, .success(ZooKeeperStat(stat.pointee)))
    } else {
        let code = rc == ZOK.rawValue ? ZSYSTEMERROR.rawValue : rc
        box.finish(returnCode: rc, .failure(ZooKeeperError(cCode: code, path: box.path)))
    }
}

/// `strings_completion_t` for `zoo_awget_children`.
func zooKeeperStringsCompletion(_ rc: Int32, _ strings: UnsafePointer<String_vector>?, _ data: UnsafeRawPointer?) {
    guard let data else { return }
    let box = Unmanaged<CompletionBox<[String]>>.fromOpaque(data).takeRetainedValue()
    guard rc == ZOK.rawValue else {
        box.finish(returnCode: rc, .failure(ZooKeeperError(cCode: rc, path: box.path)))
        return
    }
    var names: [String] = []
    if let vector = strings?.pointee, let items = vector.data, vector.count > 0 {
        names.reserveCapacity(Int(vector.count))
        for index in 0..<Int(vector.count) {
            if let item = items[index] {
                names.append(String(cString: item))
            }
        }
    }
    box.finish(returnCode: rc, .success(names))
}

/// `string_completion_t` for `zoo_acreate`: the created path (with the sequence suffix, if any).
func zooKeeperStringCompletion(_ rc: Int32, _ value: UnsafePointer<CChar>?, _ data: UnsafeRawPointer?) {
    guard let data else { return }
    let box = Unmanaged<CompletionBox<String>>.fromOpaque(data).takeRetainedValue()
    if rc == ZOK.rawValue {
        box.finish(returnCode: rc, .success(value.map { String(cString: $0) } ?? box.path ?? ""))
    } else {
        box.finish(returnCode: rc, .failure(ZooKeeperError(cCode: rc, path: box.path)))
    }
}

/// `void_completion_t` for `zoo_adelete` and `zoo_add_auth`.
func zooKeeperVoidCompletion(_ rc: Int32, _ data: UnsafeRawPointer?) {
    guard let data else { return }
    let box = Unmanaged<CompletionBox<Void>>.fromOpaque(data).takeRetainedValue()
    if rc == ZOK.rawValue {
        box.finish(returnCode: rc, .success(()))
    } else {
        box.finish(returnCode: rc, .failure(ZooKeeperError(cCode: rc, path: box.path)))
    }
}

/// `acl_completion_t` for `zoo_aget_acl`: the entries, copied out of the C vector.
func zooKeeperACLCompletion(
    _ rc: Int32,
    _ acl: UnsafeMutablePointer<ACL_vector>?,
    _ stat: UnsafeMutablePointer<Stat>?,
    _ data: UnsafeRawPointer?
) {
    guard let data else { return }
    let box = Unmanaged<CompletionBox<ZooKeeperACL>>.fromOpaque(data).takeRetainedValue()
    guard rc == ZOK.rawValue else {
        box.finish(returnCode: rc, .failure(ZooKeeperError(cCode: rc, path: box.path)))
        return
    }
    var entries: [ZooKeeperACL.Entry] = []
    if let vector = acl?.pointee, let items = vector.data, vector.count > 0 {
        for index in 0..<Int(vector.count) {
            let item = items[index]
            entries.append(
                ZooKeeperACL.Entry(
                    scheme: item.id.scheme.map { String(cString: $0) } ?? "",
                    id: item.id.id.map { String(cString: $0) } ?? "",
                    permissions: ZooKeeperACL.Permissions(rawValue: item.perms)))
        }
    }
    box.finish(returnCode: rc, .success(ZooKeeperACL(entries)))
}

/// `void_completion_t` for `zoo_amulti`: the C client filled the request's ``MultiRequestBuffers`` (owned by the
/// box) just before calling this.
func zooKeeperMultiCompletion(_ rc: Int32, _ data: UnsafeRawPointer?) {
    guard let data else { return }
    let box = Unmanaged<CompletionBox<[ZooKeeperOperationResult]>>.fromOpaque(data).takeRetainedValue()
    guard let buffers = box.keepAlive as? MultiRequestBuffers else {
        box.finish(returnCode: rc, .failure(ZooKeeperError(.systemError, path: box.path, detail: "multi without buffers")))
        return
    }
    box.finish(returnCode: rc, buffers.outcome(returnCode: rc))
}

import CZooKeeper

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The C memory of one `zoo_amulti` request: the `zoo_op_t` array and the paths, data and ACLs it points to
/// (read while the request is serialized, inside the call), and the `zoo_op_result_t` array, created-path
/// buffers and `Stat`s the C client writes into when the reply arrives (in the completion thread, right before
/// the completion runs). The request's ``CompletionBox`` owns it (``CompletionBox/keepAlive``), so it is freed
/// only after the completion ran, or after `zookeeper_close` returned for a completion the C client dropped.
///
/// `@unchecked Sendable`: it holds raw pointers. It is filled on the client's lifecycle queue before the C call
/// and read only in the completion (after the C client's writes, on the same thread); nothing else touches it.
final class MultiRequestBuffers: @unchecked Sendable {
    let operations: [ZooKeeperOperation]
    let ops: UnsafeMutablePointer<zoo_op_t>
    let results: UnsafeMutablePointer<zoo_op_result_t>
    /// The created-path buffer of each create, by operation index.
    private var pathBuffers: [Int: (pointer: UnsafeMutablePointer<CChar>, length: Int32)] = [:]
    /// The stat of each set, by operation index.
    private var stats: [Int: UnsafeMutablePointer<Stat>] = [:]
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private var acls: [(vector: UnsafeMutablePointer<ACL_vector>, entries: UnsafeMutablePointer<ACL>)] = []
    /// Whether every allocation succeeded; when not, the request is not sent.
    private(set) var isComplete = true

    /// Builds the C request for `operations`.
    /// - Parameter defaultACL: The ACL of creates that name none.
    init(_ operations: [ZooKeeperOperation], defaultACL: ZooKeeperACL) {
        self.operations = operations
        let count = max(operations.count, 1)
        ops = .allocate(capacity: count)
        ops.initialize(repeating: zoo_op_t(), count: count)
        results = .allocate(capacity: count)
        results.initialize(repeating: zoo_op_result_t(err: 0, value: nil, valuelen: 0, stat: nil), count: count)
        for (index, operation) in operations.enumerated() {
            guard let path = copy(operation.path) else {
                isComplete = false
                return
            }
            let op = ops + index
            switch operation {
            case .check(_, let version):
                zoo_check_op_init(op, path, version)
            case .delete(_, let version):
                zoo_delete_op_init(op, path, version)
            case .set(_, let data, let version):
                let stat = UnsafeMutablePointer<Stat>.allocate(capacity: 1)
                stat.initialize(to: Stat())
                stats[index] = stat
                guard let bytes = copy(data) else {
                    isComplete = false
                    return
                }
                zoo_set_op_init(op, path, bytes, Int32(data.count), version, stat)
            case .create(_, let data, let mode, let acl):
                let length = Int32(operation.path.utf8.count + 32)
                let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(length))
                buffer.initialize(repeating: 0, count: Int(length))
                pathBuffers[index] = (buffer, length)
                guard let bytes = copy(data), let vector = cACL(acl ?? defaultACL) else {
                    isComplete = false
                    return
                }
                zoo_create_op_init(op, path, bytes, Int32(data.count), vector, mode.cFlags, buffer, length)
            }
        }
    }

    deinit {
        let count = max(operations.count, 1)
        ops.deinitialize(count: count)
        ops.deallocate()
        results.deinitialize(count: count)
        results.deallocate()
        for (pointer, length) in pathBuffers.values {
            pointer.deinitialize(count: Int(length))
            pointer.deallocate()
        }
        for stat in stats.values {
            stat.deinitialize(count: 1)
            stat.deallocate()
        }
        for (vector, entries) in acls {
            entries.deallocate()
            vector.deallocate()
        }
        strings.forEach { free($0) }
    }

    /// The request's outcome once the C client reported `rc` and filled the results.
    func outcome(returnCode rc: Int32) -> Result<[ZooKeeperOperationResult], ZooKeeperError> {
        guard rc == ZOK.rawValue else {
            return .failure(error(returnCode: rc))
        }
        var outcomes: [ZooKeeperOperationResult] = []
        outcomes.reserveCapacity(operations.count)
        for (index, operation) in operations.enumerated() {
            switch operation {
            case .check:
                outcomes.append(.checked)
            case .delete:
                outcomes.append(.deleted)
            case .set:
                guard let stat = stats[index] else {
                    return .failure(ZooKeeperError(.systemError, path: operation.path, detail: "set without stat"))
                }
                outcomes.append(.set(ZooKeeperStat(stat.pointee)))
            case .create:
                let created = pathBuffers[index].map { String(cString: $0.pointer) } ?? operation.path
                outcomes.append(.created(created.isEmpty ? operation.path : created))
            }
        }
        return .success(outcomes)
    }

    /// The error of a failed request, naming the operation the server rejected when one did: the first whose
    /// result is neither `ZOK` (the operations before it) nor `ZRUNTIMEINCONSISTENCY` (those after it). When the
    /// request as a whole failed (connection loss, expiry, close), the C client gives every result the same code
    /// and no operation is named.
    private func error(returnCode rc: Int32) -> ZooKeeperError {
        let requestLevel: Set<Int32> = [
            ZCONNECTIONLOSS.rawValue, ZOPERATIONTIMEOUT.rawValue, ZSESSIONEXPIRED.rawValue, ZCLOSING.rawValue,
            ZINVALIDSTATE.rawValue, ZAUTHFAILED.rawValue, ZMARSHALLINGERROR.rawValue, ZSYSTEMERROR.rawValue,
            ZSESSIONMOVED.rawValue, ZBADARGUMENTS.rawValue,
        ]
        if !requestLevel.contains(rc) {
            for index in operations.indices {
                let err = results[index].err
                if err != ZOK.rawValue, err != ZRUNTIMEINCONSISTENCY.rawValue {
                    return ZooKeeperError(
                        cCode: err,
                        path: operations[index].path,
                        detail: "multi operation \(index) of \(operations.count) (\(Self.name(operations[index])))",
                        failedOperation: index
                    )
                }
            }
        }
        return ZooKeeperError(cCode: rc, path: operations.first?.path, detail: "multi of \(operations.count) operations")
    }

    private static func name(_ operation: ZooKeeperOperation) -> String {
        switch operation {
        case .check(_, let version): "check version \(version)"
        case .create: "create"
        case .set(_, _, let version): "set version \(version)"
        case .delete(_, let version): "delete version \(version)"
        }
    }

    private func copy(_ string: String) -> UnsafeMutablePointer<CChar>? {
        guard let copied = strdup(string) else { return nil }
        strings.append(copied)
        return copied
    }

    /// A C copy of `data`, never `NULL` (an empty node is a zero-length buffer, not null data).
    private func copy(_ data: [UInt8]) -> UnsafeMutablePointer<CChar>? {
        guard let buffer = malloc(max(data.count, 1))?.assumingMemoryBound(to: CChar.self) else { return nil }
        strings.append(buffer)
        data.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress, !bytes.isEmpty {
                memcpy(buffer, base, bytes.count)
            }
        }
        return buffer
    }

    private func cACL(_ acl: ZooKeeperACL) -> UnsafeMutablePointer<ACL_vector>? {
        let count = acl.entries.count
        let entries = UnsafeMutablePointer<ACL>.allocate(capacity: max(count, 1))
        let vector = UnsafeMutablePointer<ACL_vector>.allocate(capacity: 1)
        acls.append((vector, entries))
        for (index, entry) in acl.entries.enumerated() {
            guard let scheme = copy(entry.scheme), let id = copy(entry.id) else { return nil }
            (entries + index).initialize(to: ACL(perms: entry.permissions.rawValue, id: Id(scheme: scheme, id: id)))
        }
        vector.initialize(to: ACL_vector(count: Int32(count), data: entries))
        return vector
    }
}

import CZooKeeper

extension ZooKeeperClient {
    /// Reads a node's data and stat (`zoo_awget`).
    /// - Parameters:
    ///   - path: The node's path.
    ///   - watch: A one-shot data watch, called exactly once (see ``WatchEvent``) on the C client's completion
    ///     thread: it must not block; hop to a task for async work. Armed only if the read succeeds.
    /// - Returns: The data and the stat.
    /// - Throws: ``ZooKeeperError/Code/noNode`` and the other request errors, with the path.
    public func get(
        _ path: String,
        watch: (@Sendable (WatchEvent) -> Void)? = nil
    ) async throws(ZooKeeperError) -> (data: [UInt8], stat: ZooKeeperStat) {
        try Self.validate(path)
        let result: NodeData = try await perform(path: path, watch: watch) { handle, watcherContext, data in
            path.withCString { cPath in
                zoo_awget(
                    handle,
                    cPath,
                    watcherContext == nil ? nil : zooKeeperWatchTrampoline,
                    watcherContext,
                    zooKeeperDataCompletion,
                    data
                )
            }
        }
        return result
    }

    /// Reads a node's stat, or `nil` if it does not exist (`zoo_awexists`).
    /// - Parameters:
    ///   - path: The node's path.
    ///   - watch: A one-shot watch (see ``get(_:watch:)``): on an existing node it reports data changes and
    ///     deletion, on a missing one its creation.
    /// - Throws: Request errors with the path (not `noNode`).
    public func exists(
        _ path: String,
        watch: (@Sendable (WatchEvent) -> Void)? = nil
    ) async throws(ZooKeeperError) -> ZooKeeperStat? {
        try Self.validate(path)
        return try await perform(path: path, watch: watch, arming: .exists) { handle, watcherContext, data in
            path.withCString { cPath in
                zoo_awexists(
                    handle,
                    cPath,
                    watcherContext == nil ? nil : zooKeeperWatchTrampoline,
                    watcherContext,
                    zooKeeperExistsCompletion,
                    data
                )
            }
        }
    }

    /// Lists a node's children: names, not paths, in no particular order (`zoo_awget_children`).
    /// - Parameters:
    ///   - path: The node's path.
    ///   - watch: A one-shot watch (see ``get(_:watch:)``) for changes of the child list or deletion of the node.
    /// - Throws: ``ZooKeeperError/Code/noNode`` and the other request errors, with the path.
    public func children(
        _ path: String,
        watch: (@Sendable (WatchEvent) -> Void)? = nil
    ) async throws(ZooKeeperError) -> [String] {
        try Self.validate(path)
        return try await perform(path: path, watch: watch, arming: .children) { handle, watcherContext, data in
            path.withCString { cPath in
                zoo_awget_children(
                    handle,
                    cPath,
                    watcherContext == nil ? nil : zooKeeperWatchTrampoline,
                    watcherContext,
                    zooKeeperStringsCompletion,
                    data
                )
            }
        }
    }

    /// Creates a node (`zoo_acreate`).
    /// - Parameters:
    ///   - path: The node's path; for sequential modes, the prefix of its name.
    ///   - data: The node's data.
    ///   - mode: Persistent or ephemeral, sequential or not.
    ///   - acl: The node's ACL; `nil` uses ``ZooKeeperConfiguration/defaultACL``.
    ///   - createParents: Whether to create missing ancestors first (persistent, empty, with the same ACL).
    /// - Returns: The created path, with the sequence suffix for sequential modes.
    /// - Throws: ``ZooKeeperError/Code/nodeExists``, ``ZooKeeperError/Code/noNode`` (a missing parent), and the
    ///   other request errors, with the path.
    @discardableResult
    public func create(
        _ path: String,
        data: [UInt8] = [],
        mode: CreateMode = .persistent,
        acl: ZooKeeperACL? = nil,
        createParents: Bool = false
    ) async throws(ZooKeeperError) -> String {
        try Self.validate(path, sequential: mode.isSequential)
        let acl = acl ?? configuration.defaultACL
        do throws(ZooKeeperError) {
            return try await createNode(path, data: data, mode: mode, acl: acl)
        } catch {
            guard error.code == .noNode, createParents else { throw error }
            try await createAncestors(of: path, acl: acl)
            return try await createNode(path, data: data, mode: mode, acl: acl)
        }
    }

    private func createNode(
        _ path: String,
        data: [UInt8],
        mode: CreateMode,
        acl: ZooKeeperACL
    ) async throws(ZooKeeperError) -> String {
        let length = try Self.dataLength(data, path: path)
        return try await perform(path: path) { handle, _, completionData in
            acl.withCACLVector { aclVector in
                path.withCString { cPath in
                    Self.withCBytes(data) { bytes in
                        zoo_acreate(
                            handle,
                            cPath,
                            bytes,
                            length,
                            aclVector,
                            mode.cFlags,
                            zooKeeperStringCompletion,
                            completionData
                        )
                    }
                }
            }
        }
    }

    /// Creates each missing ancestor of `path`, shallowest first; existing ones are fine.
    private func createAncestors(of path: String, acl: ZooKeeperACL) async throws(ZooKeeperError) {
        let components = path.split(separator: "/", omittingEmptySubsequences: true).dropLast()
        var ancestor = ""
        for component in components {
            ancestor += "/" + component
            do throws(ZooKeeperError) {
                _ = try await createNode(ancestor, data: [], mode: .persistent, acl: acl)
            } catch {
                guard error.code == .nodeExists else { throw error }
            }
        }
    }

    /// Writes a node's data (`zoo_aset`).
    /// - Parameters:
    ///   - path: The node's path.
    ///   - data: The new data.
    ///   - version: The expected ``ZooKeeperStat/version`` for a compare-and-set, or -1 for any.
    /// - Returns: The node's new stat.
    /// - Throws: ``ZooKeeperError/Code/badVersion`` if `version` does not match, ``ZooKeeperError/Code/noNode``,
    ///   and the other request errors, with the path.
    @discardableResult
    public func set(_ path: String, data: [UInt8], version: Int32 = -1) async throws(ZooKeeperError) -> ZooKeeperStat {
        try Self.validate(path)
        let length = try Self.dataLength(data, path: path)
        return try await perform(path: path) { handle, _, completionData in
            path.withCString { cPath in
                Self.withCBytes(data) { bytes in
                    zoo_aset(handle, cPath, bytes, length, version, zooKeeperStatCompletion, completionData)
                }
            }
        }
    }

    /// Deletes a node (`zoo_adelete`).
    /// - Parameters:
    ///   - path: The node's path.
    ///   - version: The expected ``ZooKeeperStat/version``, or -1 for any.
    /// - Throws: ``ZooKeeperError/Code/noNode``, ``ZooKeeperError/Code/notEmpty``,
    ///   ``ZooKeeperError/Code/badVersion`` and the other request errors, with the path.
    public func delete(_ path: String, version: Int32 = -1) async throws(ZooKeeperError) {
        try Self.validate(path)
        let _: Void = try await perform(path: path) { handle, _, completionData in
            path.withCString { cPath in
                zoo_adelete(handle, cPath, version, zooKeeperVoidCompletion, completionData)
            }
        }
    }

    /// Reads a node's ACL (`zoo_aget_acl`). Digest entries name `user:base64(sha1(user:password))`; an entry
    /// created as `auth:` shows as the creator's authenticated ids. A session without the admin permission on
    /// the node sees digest hashes replaced by `x` (`user:x`; ZooKeeper 3.5+).
    /// - Throws: ``ZooKeeperError/Code/noNode`` and the other request errors, with the path.
    public func getACL(_ path: String) async throws(ZooKeeperError) -> ZooKeeperACL {
        try Self.validate(path)
        return try await perform(path: path) { handle, _, completionData in
            path.withCString { cPath in
                zoo_aget_acl(handle, cPath, zooKeeperACLCompletion, completionData)
            }
        }
    }

    /// Replaces a node's ACL (`zoo_aset_acl`); needs ``ZooKeeperACL/Permissions/admin`` on the node.
    /// - Parameters:
    ///   - path: The node's path.
    ///   - acl: The new ACL.
    ///   - version: The expected ACL version (``ZooKeeperStat/aversion``), or -1 for any.
    /// - Throws: ``ZooKeeperError/Code/noAuth``, ``ZooKeeperError/Code/invalidACL``, ``ZooKeeperError/Code/noNode``
    ///   and the other request errors, with the path.
    public func setACL(_ path: String, acl: ZooKeeperACL, version: Int32 = -1) async throws(ZooKeeperError) {
        try Self.validate(path)
        let _: Void = try await perform(path: path) { handle, _, completionData in
            path.withCString { cPath in
                acl.withCACLVector { vector in
                    zoo_aset_acl(handle, cPath, version, vector, zooKeeperVoidCompletion, completionData)
                }
            }
        }
    }

    /// Adds credentials to the session (`zoo_add_auth`) and waits for the server's answer. The client adds them
    /// again to sessions it creates after an expiry.
    /// - Throws: ``ZooKeeperError/Code/authFailed`` if the server rejects them, and the other request errors.
    public func addAuth(_ auth: ZooKeeperAuth) async throws(ZooKeeperError) {
        let _: Void = try await perform(path: nil) { handle, _, completionData in
            auth.scheme.withCString { scheme in
                auth.credential.withUnsafeBytes { credential in
                    zoo_add_auth(
                        handle,
                        scheme,
                        credential.baseAddress?.assumingMemoryBound(to: CChar.self),
                        Int32(clamping: credential.count),
                        zooKeeperVoidCompletion,
                        completionData
                    )
                }
            }
        }
        rememberAuth(auth)
    }

    /// Adds digest credentials, `user:password` (see ``addAuth(_:)``).
    public func addAuth(digest userPassword: String) async throws(ZooKeeperError) {
        try await addAuth(.digest(userPassword))
    }

    // MARK: Argument checks

    /// Rejects, before any request is built, the paths the C client rejects (``ZooKeeperPath``) and
    /// those it would misread (a NUL byte ends a C string). A transaction needs this: a path the C client
    /// rejects after its first operation makes `zoo_amulti` free an uninitialised pointer
    /// (``ZooKeeperHandle/multi(_:count:ops:results:completion:data:)``).
    /// - Parameter sequential: The path is a sequential create's (it may end in `/`).
    static func validate(_ path: String, sequential: Bool = false) throws(ZooKeeperError) {
        guard ZooKeeperPath.isValid(path, sequential: sequential) else {
            throw ZooKeeperError(.badArguments, path: path, detail: ZooKeeperPath.rules)
        }
    }

    private static func dataLength(_ data: [UInt8], path: String) throws(ZooKeeperError) -> Int32 {
        guard let length = Int32(exactly: data.count) else {
            throw ZooKeeperError(.badArguments, path: path, detail: "data of \(data.count) bytes is too large")
        }
        return length
    }

    /// Calls `body` with a pointer to `data`, never `NULL` (an empty node is a zero-length buffer, not null data).
    private static func withCBytes(_ data: [UInt8], _ body: (UnsafePointer<CChar>) -> Int32) -> Int32 {
        let storage = data.isEmpty ? [0] : data
        return storage.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return ZBADARGUMENTS.rawValue }
            return body(base.assumingMemoryBound(to: CChar.self))
        }
    }
}

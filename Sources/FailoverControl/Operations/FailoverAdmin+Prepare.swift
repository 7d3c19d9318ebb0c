import PegasusWire
import RouteModel
import Router
import ZooKeeper

extension FailoverAdmin {
    /// What ``prepareState()`` did to one node.
    public struct PreparedNode: Sendable, Equatable {
        /// The node.
        public var path: String
        /// `true`: created with the failover ACL; `false`: it existed and its ACL was set to the failover ACL.
        public var created: Bool
    }

    /// Creates the failover state directories (``FailoverPaths/base``, ``FailoverPaths/failoverDirectory``,
    /// ``FailoverPaths/election``) with the failover ACL, and sets that ACL on every existing node of the
    /// subtree (directories, effective routes, the pause and health nodes; not the election nodes, which
    /// belong to their sessions). `meta-proxy failover init` runs this once after credentials are set up
    /// and again after the failover writers change (credential rotation).
    ///
    /// A proxy whose identity may not create children of `<root>` cannot create ``FailoverPaths/base``
    /// itself; after this it can write everything below.
    /// - Returns: The nodes, in the order handled.
    /// - Throws: ``FailoverAdminError/Code/zooKeeper`` naming the node (e.g. `NOAUTH` when this identity
    ///   lacks the admin permission on an existing node).
    public func prepareState() async throws(FailoverAdminError) -> [PreparedNode] {
        try await ensureRoot()
        let directories = [paths.base, paths.failoverDirectory, paths.election]
        var prepared: [PreparedNode] = []
        for path in directories {
            prepared.append(try await prepare(path))
        }
        // The protected-table index is created by the first route write (or the decider's scan) with the
        // ACL of `<root>/.meta-proxy`; here it only gets the failover ACL again when it exists.
        var leaves = [paths.paused, paths.health, paths.protectedIndex]
        do throws(ZooKeeperError) {
            leaves += try await client.children(paths.failoverDirectory).sorted().map(paths.effectiveRoute(of:))
        } catch {
            throw FailoverAdminError(
                .zooKeeper, path: paths.failoverDirectory, message: "listing \(paths.failoverDirectory): \(error)")
        }
        for path in leaves where try await applyFailoverACL(path) {
            prepared.append(PreparedNode(path: path, created: false))
        }
        return prepared
    }

    /// Creates `<root>` (and its missing ancestors) with the route ACL when it does not exist, so that a
    /// failover state write with `createParents` never gives `<root>` the failover ACL.
    func ensureRoot() async throws(FailoverAdminError) {
        let root = paths.root
        guard root != "/" else { return }
        do throws(ZooKeeperError) {
            guard try await client.exists(root) == nil else { return }
        } catch {
            throw FailoverAdminError(.zooKeeper, path: root, message: "reading \(root): \(error)")
        }
        do throws(ZooKeeperError) {
            _ = try await client.create(root, acl: acl, createParents: true)
        } catch where error.code == .nodeExists {
            return
        } catch {
            throw FailoverAdminError(.zooKeeper, path: root, message: "creating \(root): \(error)")
        }
    }

    private func prepare(_ path: String) async throws(FailoverAdminError) -> PreparedNode {
        do throws(ZooKeeperError) {
            _ = try await client.create(path, acl: failoverACL)
            return PreparedNode(path: path, created: true)
        } catch where error.code == .nodeExists {
            _ = try await applyFailoverACL(path)
            return PreparedNode(path: path, created: false)
        } catch {
            throw FailoverAdminError(.zooKeeper, path: path, message: "creating \(path): \(error)")
        }
    }

    /// Sets the failover ACL on `path`; `false` when the node does not exist.
    private func applyFailoverACL(_ path: String) async throws(FailoverAdminError) -> Bool {
        do throws(ZooKeeperError) {
            try await client.setACL(path, acl: failoverACL ?? client.configuration.defaultACL)
            return true
        } catch where error.code == .noNode {
            return false
        } catch {
            throw FailoverAdminError(.zooKeeper, path: path, message: "setting the ACL of \(path): \(error)")
        }
    }
}

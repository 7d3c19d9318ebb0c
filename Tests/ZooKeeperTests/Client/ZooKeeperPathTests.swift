import Testing

@testable import ZooKeeper

/// The C client's `isValidPath`, case by case (its rules: absolute; no `//`; no `.` or `..` component,
/// except last in a sequential create; no trailing `/` except in a sequential create; no byte 0x01–0x1e).
@Suite("ZooKeeperPath")
struct ZooKeeperPathTests {
    @Test("what the C client accepts and rejects")
    func rules() {
        let valid = ["/", "/a", "/a/b", "/a.b", "/a..b", "/...", "/a/.x", "/a/..x", "/\u{1F}", "/é", "/a-b_c/n_0000000001"]
        for path in valid {
            #expect(ZooKeeperPath.isValid(path, sequential: false), "\(path)")
        }
        let invalid = [
            "", "a", "a/b", "//", "/a//b", "/a/", "/.", "/..", "/a/.", "/a/..", "/./a", "/../a", "/a/./b", "/a/../b",
            "/a\u{0}b", "/a\u{1}", "/a\n", "/a\u{1E}",
        ]
        for path in invalid {
            #expect(!ZooKeeperPath.isValid(path, sequential: false), "\(path)")
        }
    }

    @Test("a sequential create may end in / or a dot component (the server appends the number)")
    func sequential() {
        for path in ["/a/", "/a/.", "/a/..", "/"] {
            #expect(ZooKeeperPath.isValid(path, sequential: true), "\(path)")
            #expect(path == "/" || !ZooKeeperPath.isValid(path, sequential: false), "\(path)")
        }
        for path in ["/a//", "/../a", "/./a", "/a/../b"] {
            #expect(!ZooKeeperPath.isValid(path, sequential: true), "\(path)")
        }
        #expect(ZooKeeperOperation.create(path: "/n-", data: [], mode: .ephemeralSequential, acl: nil).isSequentialCreate)
        #expect(!ZooKeeperOperation.create(path: "/n", data: [], mode: .ephemeral, acl: nil).isSequentialCreate)
        #expect(!ZooKeeperOperation.set(path: "/n", data: [], version: 0).isSequentialCreate)
    }
}

import ArgumentParser

/// The client frame format the load sends: the three a MetaServer (and meta-proxy) accepts.
enum FrameFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// THFT header version 0 (48 fixed bytes), as the Go, Python and Node.js clients send.
    case thftV0 = "thft-v0"
    /// THFT header version 1 (16 bytes + `thrift_request_meta_v1`), as the Java client sends.
    case thftV1 = "thft-v1"
    /// rDSN's native 192-byte header, as the C++ client and the Pegasus shell send; replies are RDSN too.
    case rdsn
}

#ifndef CBUILDINFO_H
#define CBUILDINFO_H

/// The git commit meta-proxy was built from ("unknown" outside a git checkout).
/// Set by Package.swift (METAPROXY_BUILD_COMMIT) from SwiftPM's git information or META_PROXY_COMMIT.
const char *metaproxy_build_commit(void);

/// When the binary was built (RFC 3339, UTC), "unknown" unless the build set META_PROXY_BUILD_DATE
/// (scripts/build-release.sh and scripts/package.sh do).
const char *metaproxy_build_date(void);

/// The Swift compiler that built the binary ("" unless the build set META_PROXY_SWIFT_VERSION;
/// the Swift side then falls back to the compiler version it was compiled with).
const char *metaproxy_build_swift_version(void);

#endif

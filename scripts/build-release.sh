#!/usr/bin/env bash
# Release build of meta-proxy's products (default: meta-proxy), as shipped and benchmarked:
#   scripts/build-release.sh [product ...]      -> .build/release/<product>
#
# `-enforce-exclusivity=unchecked` turns off Swift's *runtime* exclusivity checks in every module,
# SwiftNIO included (the compile-time checks stay, and debug builds and the test suites keep the
# runtime ones). On the relay path those checks were about 15 % of meta-proxy's CPU samples
# (ByteBuffer and channel state accessors, through a thread-local access set): release builds
# with them spent 2.9 µs of CPU per relayed query, without them 2.4–2.6 (BENCHMARKS.md, round 5).
# The flag must be on the command line: a Package.swift setting would reach only our own modules.
#
# `--static-swift-stdlib` links the Swift runtime and Foundation into the binary, so it runs on a host
# without the Swift toolchain (scripts/package.sh packages it); system libraries (libzookeeper-mt,
# libcurl, libc) stay dynamic. The build's identity (`meta-proxy --version`, `metaproxy_build_info`)
# gets the commit, the build date and the Swift version from here (Package.swift, `buildIdentity`).
# Only one C file is recompiled when they change.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- meta-proxy
# The commit explicitly too: SwiftPM caches the evaluated manifest per checkout (keyed by its text and
# the environment, not by git's state), so its own git information can lag behind HEAD.
if [ -z "${META_PROXY_COMMIT:-}" ] && commit=$(git rev-parse HEAD 2>/dev/null); then
  git diff --quiet HEAD -- 2>/dev/null || commit="$commit-dirty"
  export META_PROXY_COMMIT=$commit
fi
export META_PROXY_BUILD_DATE=${META_PROXY_BUILD_DATE:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
export META_PROXY_SWIFT_VERSION=${META_PROXY_SWIFT_VERSION:-$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9][0-9.]*\).*/\1/p' | head -1)}
for product in "$@"; do
  swift build -c release -Xswiftc -enforce-exclusivity=unchecked --static-swift-stdlib --product "$product" 2>&1 | tail -1
done

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
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- meta-proxy
for product in "$@"; do
  swift build -c release -Xswiftc -enforce-exclusivity=unchecked --product "$product" 2>&1 | tail -1
done

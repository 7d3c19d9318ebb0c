#!/usr/bin/env bash
# Soak run: well-behaved and hostile traffic at once against one meta-proxy process (see
# integration/soak/soak.py and docs/reliability.md, "Soak").
#   scripts/soak.sh [SECONDS]        default 600; uses the release binaries when built
#                                    (scripts/build-release.sh meta-proxy pegasus-sim), else debug
# Writes the report to /tmp/meta-proxy-soak-report.json. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
bin=.build/release
[ -x "$bin/meta-proxy" ] && [ -x "$bin/pegasus-sim" ] || bin=.build/debug
[ -x "$bin/meta-proxy" ] || swift build --product meta-proxy
[ -x "$bin/pegasus-sim" ] || swift build --product pegasus-sim
export META_PROXY_BIN=${META_PROXY_BIN:-$PWD/$bin/meta-proxy} PEGASUS_SIM_BIN=${PEGASUS_SIM_BIN:-$PWD/$bin/pegasus-sim}
exec python3 integration/soak/soak.py --seconds "$seconds" --report /tmp/meta-proxy-soak-report.json

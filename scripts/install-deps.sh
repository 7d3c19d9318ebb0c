#!/usr/bin/env bash
# Installs what building, the demo and the tests need on a fresh Debian machine (run as root).
set -euo pipefail
need_apt=()
for p in libzookeeper-mt-dev libcurl4-openssl-dev zookeeper; do
  dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
# promtool (Debian package prometheus) checks and unit-tests deploy/prometheus/ (test_monitoring.py).
if ! command -v promtool >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
py() { python3 -c "$1" >/dev/null 2>&1; }
py 'import yaml' || python3 -m pip install -q --disable-pip-version-check pyyaml
py 'import thrift, twisted, aenum, six, pytest' || python3 -m pip install -q --disable-pip-version-check thrift twisted aenum six pytest
# pypegasus3 pins an old Twisted; it works with the current one, so install it without its pins.
py 'import pypegasus' || python3 -m pip install -q --disable-pip-version-check --no-deps pypegasus3

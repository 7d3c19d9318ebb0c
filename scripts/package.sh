#!/usr/bin/env bash
# Builds the Debian package of meta-proxy with dpkg-deb alone (no debhelper, no dpkg-dev):
#   scripts/package.sh [output-dir]        -> <output-dir>/meta-proxy_<version>_<arch>.deb (default .build/package)
#
# - /usr/bin/meta-proxy: the release binary (scripts/build-release.sh: the Swift runtime and Foundation
#   linked statically, -static-stdlib), so the host needs no Swift toolchain; the system libraries it
#   loads (libzookeeper-mt, libcurl, libc, ...) become the package's Depends, found with ldd + dpkg -S.
# - /etc/meta-proxy/meta-proxy.yaml (packaging/meta-proxy.yaml) and /etc/meta-proxy/policies/default.yaml
#   (policies/default.yaml), both conffiles; the example policies under /usr/share/doc/meta-proxy.
# - /usr/lib/systemd/system/meta-proxy.service (packaging/meta-proxy.service): User=meta-proxy,
#   ExecReload=SIGHUP, ProtectSystem=strict with ReadWritePaths=/var/lib/meta-proxy.
# - postinst creates the system user and group meta-proxy and /var/lib/meta-proxy; purge removes them.
# SKIP_BUILD=1 packages the existing .build/release/meta-proxy (the caller built it).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.build/package}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  scripts/build-release.sh meta-proxy
fi
binary=.build/release/meta-proxy
[ -x "$binary" ] || { echo "package.sh: $binary not found (build it: scripts/build-release.sh)" >&2; exit 1; }

# The version: the first line of `meta-proxy --version` is "meta-proxy <version>".
version=$("$binary" --version | head -1 | awk '{print $2}')
arch=$(dpkg --print-architecture)

# Every shared library the binary needs directly (ELF NEEDED, resolved by ldd) must come from a Debian
# package, none from the Swift toolchain; those packages are the Depends (their own dependencies are
# theirs to declare).
needed=$(objdump -p "$binary" | awk '/NEEDED/ {print $2}')
depends=()
while read -r lib; do
  case "$lib" in
    */swift/*|*/opt/swift*)
      echo "package.sh: $binary loads $lib from the Swift toolchain (not linked statically)" >&2; exit 1 ;;
  esac
  owner=$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1) || true
  if [ -z "$owner" ]; then
    # usr-merge: /lib/x86_64-linux-gnu/... is registered as /usr/lib/... or the reverse.
    alt=$(readlink -f "$lib")
    owner=$(dpkg -S "$alt" 2>/dev/null | head -1 | cut -d: -f1 || true)
    [ -n "$owner" ] || owner=$(dpkg -S "${lib#/usr}" 2>/dev/null | head -1 | cut -d: -f1 || true)
  fi
  [ -n "$owner" ] || { echo "package.sh: no Debian package owns $lib" >&2; exit 1; }
  depends+=("$owner")
done < <(ldd "$binary" | awk -v needed="$needed" '
  BEGIN { n = split(needed, names, "\n"); for (i = 1; i <= n; i++) want[names[i]] = 1 }
  $2 == "=>" && ($1 in want) && $3 ~ /^\// { print $3 }' | sort -u)
depends_line=$(printf '%s\n' "${depends[@]}" | sort -u | paste -sd, - | sed 's/,/, /g')
for needed in libzookeeper-mt2 libcurl4; do
  printf '%s\n' "${depends[@]}" | grep -qx "$needed" || { echo "package.sh: expected a dependency on $needed" >&2; exit 1; }
done

root=$(mktemp -d /tmp/meta-proxy-package.XXXXXX)
trap 'rm -rf "$root"' EXIT
install -D -m 0755 "$binary" "$root/usr/bin/meta-proxy"
strip --strip-unneeded "$root/usr/bin/meta-proxy" 2>/dev/null || true
install -D -m 0644 packaging/meta-proxy.yaml "$root/etc/meta-proxy/meta-proxy.yaml"
install -D -m 0644 policies/default.yaml "$root/etc/meta-proxy/policies/default.yaml"
install -D -m 0644 packaging/meta-proxy.service "$root/usr/lib/systemd/system/meta-proxy.service"
install -d "$root/usr/share/doc/meta-proxy/policies-examples"
install -m 0644 README.md docs/configuration.md docs/deployment.md docs/failover.md docs/metrics.md \
  "$root/usr/share/doc/meta-proxy/"
install -m 0644 policies/examples/*.yaml "$root/usr/share/doc/meta-proxy/policies-examples/"

install -d "$root/DEBIAN"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
printf '%s\n' /etc/meta-proxy/meta-proxy.yaml /etc/meta-proxy/policies/default.yaml > "$root/DEBIAN/conffiles"
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: meta-proxy
Version: $version
Architecture: $arch
Maintainer: meta-proxy maintainers <meta-proxy@localhost>
Installed-Size: $installed_size
Depends: $depends_line, passwd
Section: net
Priority: optional
Description: failover-aware router of Apache Pegasus MetaServer queries
 meta-proxy sits in front of many Pegasus clusters: clients send their query_config RPCs to it and it
 routes each table to its cluster (routes in ZooKeeper or a file), switching a table to its
 duplication backup cluster on failover. Runs as the systemd service meta-proxy (user meta-proxy).
CONTROL

deb="$out/meta-proxy_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "$deb"

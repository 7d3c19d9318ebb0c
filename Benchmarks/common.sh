# Shell helpers shared by the benchmark scripts (sourced, not run). The sourcing script sets ROOT
# (the repository) and WORK (a scratch directory removed on exit) first.
#
# Everything a script starts goes into PIDS and is stopped on exit (SIGTERM, then SIGKILL after a
# second); a ZooKeeper started with scripts/zk.sh into ZK_DIR is stopped too.

log() { printf '\n== %s\n' "$*" >&2; }
fail() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

PIDS=()
ZK_DIR=""
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "$ZK_DIR" ] && "$ROOT/scripts/zk.sh" stop "$ZK_DIR" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# CPU time of a process in clock ticks (utime + stime of /proc/PID/stat).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# CPU time of a process in nanoseconds: the sum of its threads' schedstat (finer than clock ticks).
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'; }
rss_kib() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
now() { date +%s.%N; }
wait_http() { # url, seconds: waits until the URL answers 2xx
  for _ in $(seq 1 $(($2 * 10))); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
wait_line() { # file, seconds: waits until the file has a first line
  for _ in $(seq 1 $(($2 * 10))); do [ -s "$1" ] && head -1 "$1" | grep -q . && return 0; sleep 0.1; done
  return 1
}
stop_pid() { # pid: SIGTERM, then SIGKILL after 10 s
  kill "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}

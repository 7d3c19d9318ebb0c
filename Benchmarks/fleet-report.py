#!/usr/bin/env python3
"""Reads a fleet.sh results directory: per scenario, the per-second timeline around the kill, errors
by kind, when HAProxy marked the instance down and up, and the recovery time.

    fleet-report.py DIR NAME   # one scenario (timeline table + numbers)
    fleet-report.py DIR        # summary table of every scenario (markdown)
"""
import glob
import json
import os
import statistics
import sys

KINDS = ["lost_closed", "lost_reset", "err_timeout", "err_envelope", "err_body", "wrong", "client_timeouts"]


def errors(b):
    return sum(b[k] for k in KINDS)


def load(out, name):
    events = json.load(open(os.path.join(out, "events-%s.json" % name)))
    seconds = [json.loads(l) for l in open(os.path.join(out, "timeline-%s.jsonl" % name)) if l.strip()]
    states = []
    path = os.path.join(out, "states-%s.txt" % name)
    if os.path.exists(path):
        for line in open(path):
            parts = line.split(None, 2)
            if len(parts) == 3:
                states.append((float(parts[0]), parts[1], parts[2].strip()))
    return events, seconds, states


def analyse(out, name):
    ev, seconds, states = load(out, name)
    kill, restart, ready, t0 = ev["kill"], ev["restart"], ev["ready"], ev["t0"]
    victim = ev["victim"]
    by_t = {s["t"]: s for s in seconds}
    steady_secs = [s for s in seconds if t0 + 2 <= s["t"] and s["t"] + 1 <= kill]
    steady_ok = statistics.median([s["load"]["ok"] + s["client"]["ok"] for s in steady_secs]) if steady_secs else 0
    steady_err = sum(errors(s["load"]) + errors(s["client"]) for s in steady_secs)
    down = next((t for t, sv, st in states if sv == victim and t >= kill and st != "UP"), None)
    down_full = next((t for t, sv, st in states if sv == victim and t >= kill and st.startswith("DOWN")), None)
    up = next((t for t, sv, st in states if sv == victim and t >= restart and st.startswith("UP") and not st.startswith("UP ")), None)
    # recovery: from the signal to the end of the last second (before the restart) in which a client saw an error;
    # throughput: median ok/s between the kill and the restart against the median before (on a noisy machine
    # the per-second throughput swings too much for a "back to 90 %" rule to mean anything)
    kill_sec, restart_sec = int(kill), int(restart)
    window = [by_t.get(t) for t in range(kill_sec, restart_sec)]
    error_secs = [t for t in range(kill_sec, restart_sec) if by_t.get(t) and errors(by_t[t]["load"]) + errors(by_t[t]["client"]) > 0]
    recovery = (error_secs[-1] + 1 - kill) if error_secs else 0.0
    after_secs = [by_t[t] for t in range(kill_sec + 1, restart_sec) if t in by_t]
    after_ok = statistics.median([s["load"]["ok"] + s["client"]["ok"] for s in after_secs]) if after_secs else 0
    def total(role, lo, hi):
        acc = {}
        for s in seconds:
            if lo <= s["t"] < hi:
                for k, v in s[role].items():
                    acc[k] = max(acc.get(k, 0), v) if k == "max_latency_ms" else acc.get(k, 0) + v
        return acc
    after_kill = {r: total(r, kill_sec, restart_sec) for r in ("load", "client")}
    after_restart = {r: total(r, restart_sec, 1 << 40) for r in ("load", "client")}
    dip = min((s["load"]["ok"] + s["client"]["ok"] for s in window if s), default=0)
    return dict(name=name, ev=ev, seconds=seconds, states=states, steady_ok=steady_ok, steady_err=steady_err,
                down=down, down_full=down_full, up=up, recovery=recovery, after_kill=after_kill,
                after_restart=after_restart, dip=dip, after_ok=after_ok)


def fmt(x, digits=1):
    return "-" if x is None else ("%.*f" % (digits, x))


def one(out, name):
    a = analyse(out, name)
    ev = a["ev"]
    kill = ev["kill"]
    print("## %s: SIG%s to %s (HAProxy profile %s)" % (name, ev["signal"], ev["victim"], ev["profile"]))
    print("load average before %s, after %s; client connections per instance near the end: %s"
          % (ev["loadavg_before"], ev["loadavg_after"], ev.get("connections_near_end", "?")))
    print("steady ok/s (median before the kill): %d, errors before the kill: %d" % (a["steady_ok"], a["steady_err"]))
    print("process gone %.2f s after the signal; HAProxy: first failed check after %s s, DOWN after %s s; restarted at +%.1f s, ready +%.1f s, HAProxy UP at +%s s"
          % (ev["exit"] - kill, fmt(a["down"] and a["down"] - kill, 2), fmt(a["down_full"] and a["down_full"] - kill, 2),
             ev["restart"] - kill, ev["ready"] - kill, fmt(a["up"] and a["up"] - kill, 2)))
    print("errors end (signal -> end of the last second with a client error, before the restart): %s s; ok/s kill..restart: median %d (%.0f %% of before), lowest %d"
          % (fmt(a["recovery"]), a["after_ok"], 100.0 * a["after_ok"] / max(1, a["steady_ok"]), a["dip"]))
    for phase, data in (("kill..restart", a["after_kill"]), ("after restart", a["after_restart"])):
        for role in ("load", "client"):
            d = data[role]
            print("  %-13s %-6s ok %7d | errors %5d: lost on close %d, lost on reset %d, ERR_TIMEOUT %d, other %d, client timeouts %d | connects %d, refused %d, failed %d, closed %d, reset %d, closed before a reply %d | max latency %.0f ms"
                  % (phase, role, d.get("ok", 0), errors(d) if d else 0, d.get("lost_closed", 0), d.get("lost_reset", 0),
                     d.get("err_timeout", 0), d.get("err_envelope", 0) + d.get("err_body", 0) + d.get("wrong", 0),
                     d.get("client_timeouts", 0), d.get("connects", 0), d.get("connect_refused", 0), d.get("connect_failed", 0),
                     d.get("closed", 0), d.get("reset", 0), d.get("closed_before_reply", 0), d.get("max_latency_ms", 0)))
    print()
    print("  t-kill  load ok  client ok  errors(load/client)  lost-close lost-reset timeouts  reconnects  closed-before-reply  max ms  haproxy")
    for s in a["seconds"]:
        rel = s["t"] - int(kill)
        if rel < -3 or s["t"] > ev["ready"] + 6:
            continue
        marks = " ".join("%s %s@%+.2f" % (sv, st, t - kill) for t, sv, st in a["states"] if s["t"] <= t < s["t"] + 1)
        if s["t"] == int(ev["restart"]):
            marks += " [restart]"
        if s["t"] == int(kill):
            marks += " [SIG%s @%+.2f]" % (ev["signal"], kill - s["t"])
        L, C = s["load"], s["client"]
        print("  %+5d  %8d  %9d  %8d/%-8d  %10d %10d %8d  %10d  %19d  %6.0f  %s"
              % (rel, L["ok"], C["ok"], errors(L), errors(C), L["lost_closed"] + C["lost_closed"],
                 L["lost_reset"] + C["lost_reset"], L["client_timeouts"] + C["client_timeouts"] + L["err_timeout"] + C["err_timeout"],
                 L["connects"] + C["connects"], L["closed_before_reply"] + C["closed_before_reply"],
                 max(L["max_latency_ms"], C["max_latency_ms"]), marks))
    print()


def summary(out):
    names = sorted(os.path.basename(p)[len("events-"):-len(".json")] for p in glob.glob(os.path.join(out, "events-*.json")))
    print("| scenario | steady ok/s | HAProxy: first failed check / DOWN after (s) | load errors kill→restart (lost close / reset / timeout) | client errors kill→restart | errors end after (s) | ok/s kill→restart vs before | errors after restart (load / client) | UP after restart (s) |")
    print("|---|---:|---:|---|---|---:|---:|---|---:|")
    for name in names:
        a = analyse(out, name)
        ev = a["ev"]
        L, C = a["after_kill"]["load"], a["after_kill"]["client"]
        RL, RC = a["after_restart"]["load"], a["after_restart"]["client"]
        print("| %s | %d | %s / %s | %d (%d / %d / %d) | %d | %s | %.0f %% | %d / %d | %s |" % (
            name, a["steady_ok"], fmt(a["down"] and a["down"] - ev["kill"], 2), fmt(a["down_full"] and a["down_full"] - ev["kill"], 2),
            errors(L), L.get("lost_closed", 0), L.get("lost_reset", 0), L.get("client_timeouts", 0) + L.get("err_timeout", 0),
            errors(C), fmt(a["recovery"]), 100.0 * a["after_ok"] / max(1, a["steady_ok"]), errors(RL), errors(RC), fmt(a["up"] and a["up"] - ev["restart"], 2)))


if __name__ == "__main__":
    if len(sys.argv) == 3:
        one(sys.argv[1], sys.argv[2])
    else:
        summary(sys.argv[1])

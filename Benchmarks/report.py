#!/usr/bin/env python3
"""Summarises one Benchmarks/run.sh result directory: prints the table and the ratio lines,
writes summary.json and chart.png (latency percentiles per setup).

Usage: python3 Benchmarks/report.py Benchmarks/results/<timestamp>
"""
import glob
import json
import os
import sys

SETUPS = ["direct", "haproxy", "mp-file", "mp-file-plain", "mp-zk", "mp-file-coalesce", "haproxy-unpinned", "mp-file-unpinned"]
LABELS = {"direct": "direct to sim", "haproxy": "HAProxy (TCP)", "mp-file": "meta-proxy (file)",
          "mp-file-plain": "meta-proxy (file), plain `swift build -c release`",
          "mp-zk": "meta-proxy (zk)", "mp-file-coalesce": "meta-proxy (file, coalescing on)",
          "haproxy-unpinned": "HAProxy, unpinned", "mp-file-unpinned": "meta-proxy (file), unpinned"}


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def one_round(run, res, name):
    replies = run["counters"]["replies"] or 1
    tck = float(res.get("clk_tck", 100))
    return {
        "throughput": run["throughput"],
        "p50_us": run["latency_us"]["p50"],
        "p99_us": run["latency_us"]["p99"],
        "p999_us": run["latency_us"]["p999"],
        "max_us": run["latency_us"]["max"],
        "percentiles": run["latency_us"]["percentiles"],
        "errors": run["errors"],
        "replies": run["counters"]["replies"],
        "relay_cpu_ms_per_1000": (res.get("cpu_ticks", 0) / tck * 1000.0 / (replies / 1000.0)
                                  if not name.startswith("direct") else None),
        "sim_cpu_ms_per_1000": res.get("sim_cpu_ticks", 0) / tck * 1000.0 / (replies / 1000.0),
        "relay_rss_mib": res.get("rss_kib", 0) / 1024.0 if not name.startswith("direct") else None,
    }


def setup_row(out, name):
    """The rounds of one setup (run-NAME.rN.json), averaged; each round kept under "rounds"."""
    rounds = []
    for path in sorted(glob.glob(os.path.join(out, "run-%s.r*.json" % name))):
        res = load(path.replace("/run-", "/res-")) or {}
        rounds.append(one_round(load(path), res, name))
    if not rounds:
        return None
    row = {"setup": name, "rounds": rounds, "percentiles": rounds[0]["percentiles"]}
    for key in ("throughput", "p50_us", "p99_us", "p999_us", "max_us", "errors", "replies",
                "relay_cpu_ms_per_1000", "sim_cpu_ms_per_1000", "relay_rss_mib"):
        values = [r[key] for r in rounds if r[key] is not None]
        row[key] = sum(values) / len(values) if values else None
    row["errors"] = sum(r["errors"] for r in rounds)
    return row


def fmt(value, pattern="%.2f"):
    return "-" if value is None else pattern % value


def ratio(a, b):
    return None if a is None or b in (None, 0) else a / float(b)


def per_round(mp, ha):
    """{key: (median, [round ratios])} for CPU per request and throughput, round by round."""
    result = {}
    for key in ("relay_cpu_ms_per_1000", "throughput"):
        values = [ratio(a[key], b[key]) for a, b in zip(mp["rounds"], ha["rounds"])]
        values = [v for v in values if v is not None]
        if values:
            ordered = sorted(values)
            middle = len(ordered) // 2
            median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
            result[key] = (median, values)
    return result


def main():
    out = sys.argv[1]
    rows = [r for r in (setup_row(out, s) for s in SETUPS) if r]
    by = {r["setup"]: r for r in rows}
    summary = {"machine": load(os.path.join(out, "machine.json")), "setups": rows}

    print()
    print("| setup | rounds | req/s | p50 us | p99 us | p99.9 us | max us | errors | relay CPU ms/1000 req "
          "| relay RSS MiB | sim CPU ms/1000 req |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        cpu = fmt(r["relay_cpu_ms_per_1000"])
        if len(r["rounds"]) > 1 and r["relay_cpu_ms_per_1000"] is not None:
            cpu += " (%s)" % " / ".join("%.1f" % x["relay_cpu_ms_per_1000"] for x in r["rounds"])
        print("| %s | %d | %.0f | %d | %d | %d | %d | %d | %s | %s | %.2f |" % (
            LABELS[r["setup"]], len(r["rounds"]), r["throughput"], r["p50_us"], r["p99_us"], r["p999_us"],
            r["max_us"], r["errors"], cpu, fmt(r["relay_rss_mib"], "%.1f"), r["sim_cpu_ms_per_1000"]))

    ratios = {}
    # Pinned setups: the relay alone on one core. "meta-proxy" is the documented release build
    # (scripts/build-release.sh flags), "meta-proxy(plain)" the same sources built with plain
    # `swift build -c release`, run side by side in the same interleaved rounds.
    for name, base, tag in (("mp-file", "haproxy", "meta-proxy"), ("mp-file-plain", "haproxy", "meta-proxy(plain)"),
                            ("mp-zk", "haproxy", "meta-proxy(zk)"),
                            ("mp-file-unpinned", "haproxy-unpinned", "meta-proxy(unpinned)")):
        mp, ha = by.get(name), by.get(base)
        if not (mp and ha):
            continue
        ratios[tag] = {
            "throughput": ratio(mp["throughput"], ha["throughput"]),
            "cpu_per_request": ratio(mp["relay_cpu_ms_per_1000"], ha["relay_cpu_ms_per_1000"]),
            "p99": ratio(mp["p99_us"], ha["p99_us"]),
            # Each round's relay against HAProxy of the same round (seconds apart), then the median:
            # a round the shared machine slowed for both cancels out instead of moving the mean.
            "per_round": per_round(mp, ha),
        }
    summary["ratios"] = ratios

    herd = {}
    for mode in ("on", "off"):
        name = "herd-coalesce-%s" % mode
        run, up = load(os.path.join(out, "%s.json" % name)), load(os.path.join(out, "herd-upstream-%s.json" % name))
        if run and up:
            herd[mode] = {"connections": run["connections"], "replies": run["counters"]["replies"],
                          "errors": run["errors"], "upstream_query_config": up["upstream_query_config"],
                          "p99_us": run["latency_us"]["p99"], "max_us": run["latency_us"]["max"]}
    summary["herd"] = herd

    scale_run, scale_rss = load(os.path.join(out, "scale-mp-file.json")), load(os.path.join(out, "scale-rss.json"))
    scale = None
    if scale_run and scale_rss:
        scale = {"idle_connections": scale_run.get("idle_connections"),
                 "idle_open_at_end": scale_run.get("idle_open_at_end"),
                 "rss_mib_idle": scale_rss["rss_kib_idle"] / 1024.0, "rss_mib_held": scale_rss["rss_kib_held"] / 1024.0,
                 "rss_mib_after": scale_rss["rss_kib_after"] / 1024.0,
                 "queries_throughput": scale_run["throughput"], "queries_errors": scale_run["errors"],
                 "queries_replies": scale_run["counters"]["replies"]}
    summary["scale"] = scale
    failover = load(os.path.join(out, "failover.json"))
    summary["failover"] = failover
    allocations = load(os.path.join(out, "allocations.json"))
    summary["allocations"] = allocations

    print()
    if herd:
        for mode in ("on", "off"):
            h = herd.get(mode)
            if h:
                print("herd coalescing %-3s: %d connections, %d replies, %d errors, upstream query_config = %d" % (
                    mode, h["connections"], h["replies"], h["errors"], h["upstream_query_config"]))
    if scale:
        print("scale: RSS idle %.1f MiB, with %d connections %.1f MiB (%d still open at end), "
              "queries meanwhile %.0f req/s with %d errors" % (
                  scale["rss_mib_idle"], scale["idle_connections"] or 0, scale["rss_mib_held"],
                  scale["idle_open_at_end"] or 0, scale["queries_throughput"], scale["queries_errors"]))
    if failover:
        if failover.get("skipped"):
            print("failover: skipped: %s" % failover["skipped"])
        else:
            print("failover: relay throughput with/without = %.3f, probe CPU %.2f ms per second" % (
                failover["throughput_ratio"], failover["probe_cpu_ms_per_s"]))

    if allocations:
        for frame, a in sorted(allocations.get("frames", {}).items()):
            print("allocations: %s %.2f per relayed request, %.0f bytes per request (Benchmarks/allocations.sh)" % (
                frame, a["allocs_per_request"], a["bytes_per_request"]))

    print()
    for tag, values in ratios.items():
        for key, label in (("throughput", "throughput"), ("cpu_per_request", "cpu/request"), ("p99", "p99")):
            if values[key] is not None:
                print("%s %s/haproxy%s = %.2f" % (label, tag.split("(unpinned)")[0],
                                                   "(unpinned)" if "unpinned" in tag else "", values[key]))
    for tag, values in ratios.items():
        for key, label in (("relay_cpu_ms_per_1000", "cpu/request"), ("throughput", "throughput")):
            median = values.get("per_round", {}).get(key)
            if median and len(median[1]) > 1:
                print("%s %s/haproxy, median of the rounds = %.2f (%s)" % (
                    label, tag, median[0], " / ".join("%.2f" % v for v in median[1])))
    build, plain = by.get("mp-file"), by.get("mp-file-plain")
    if build and plain:
        print("cpu/request plain build/release build = %.2f (one core, same rounds)" % ratio(
            plain["relay_cpu_ms_per_1000"], build["relay_cpu_ms_per_1000"]))

    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
    chart(out, rows)


def chart(out, rows):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("chart skipped: matplotlib not installed (pip install matplotlib)")
        return
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for r in rows:
        if r["setup"] == "mp-file-coalesce":
            continue
        xs = [p[0] for p in r["percentiles"]]
        ys = [p[1] / 1000.0 for p in r["percentiles"]]
        ax.plot(range(len(xs)), ys, marker="o", label="%s (%.0f req/s)" % (LABELS[r["setup"]], r["throughput"]))
    if rows:
        ax.set_xticks(range(len(rows[0]["percentiles"])))
        ax.set_xticklabels(["p%g" % p[0] for p in rows[0]["percentiles"]])
    ax.set_yscale("log")
    ax.set_ylabel("latency (ms, log scale)")
    machine = load(os.path.join(out, "machine.json")) or {}
    ax.set_title("QueryConfig latency, %s connections x depth %s" % (machine.get("connections", "?"),
                                                                    machine.get("depth", "?")))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "chart.png"), dpi=110)
    print("chart: %s" % os.path.join(out, "chart.png"))


if __name__ == "__main__":
    main()

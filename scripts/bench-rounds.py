#!/usr/bin/env python3
"""Aggregates interleaved rounds of the peer harness's HTTP step into one table of ratios.

On a shared VM the throughput of the same server drifts by ±15 % from one minute to the
next, so a ratio taken from rows measured minutes apart says more about the machine than
about the servers. `scripts/bench-peers.sh` with ROUNDS=N runs every row once per round, in
turn (the order reversed every other round), N times; this script reads the rounds
(results/http-round*.json), and for each row gives the median req/s and p99 over the rounds,
and for each comparison the median of the per-round ratios (each taken from two rows measured
within the same minute).

Usage: bench-rounds.py RESULTS_DIR  (prints markdown)
"""
import glob
import json
import os
import statistics
import sys

# (what is compared, row, baseline row, what the ratio means)
RATIOS = [
    ("chatbridge Slack / bare hyper + HMAC", "chatbridge_slack", "floor_slack"),
    ("chatbridge Discord / bare hyper + Ed25519", "chatbridge_discord", "floor_discord"),
    ("parsing floor Slack / bare hyper + HMAC", "parse_floor_slack", "floor_slack"),
    ("parsing floor Discord / bare hyper + Ed25519", "parse_floor_discord", "floor_discord"),
    ("chatbridge Slack / parsing floor", "chatbridge_slack", "parse_floor_slack"),
    ("chatbridge Discord / parsing floor", "chatbridge_discord", "parse_floor_discord"),
    ("chatbridge Slack / bolt-js", "chatbridge_slack", "bolt_js"),
    ("chatbridge Slack / bolt-python", "chatbridge_slack", "bolt_py_gunicorn"),
    ("chatbridge Discord / discord-interactions-js", "chatbridge_discord", "discord_js_express"),
    ("chatbridge Discord / discord-interactions-py", "chatbridge_discord", "discord_py_gunicorn"),
]


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else "/tmp/peers-bench/results"
    rounds = []
    for path in sorted(glob.glob(os.path.join(results, "http-round*.json"))):
        with open(path) as f:
            rounds.append({row["key"]: row for row in json.load(f) if "error" not in row})
    if not rounds:
        sys.exit("no rounds in %s (run scripts/bench-peers.sh with its http step)" % results)
    keys = []
    for r in rounds:
        keys += [k for k in r if k not in keys]
    print("%d interleaved rounds; per row: median over the rounds (min–max)\n" % len(rounds))
    print("| row | req/s | req/s range | p99 ms | non-2xx / bad body | peak RSS MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for key in keys:
        rows = [r[key] for r in rounds if key in r]
        rps = [row["rps"] for row in rows]
        p99 = [row["p99_us"] / 1000 for row in rows]
        bad = sum(row.get("non2xx_total", row.get("non2xx", 0)) for row in rows)
        body = sum(row.get("bad_body_total", row.get("bad_body", 0)) for row in rows)
        rss = max(row.get("peak_rss_kib") or 0 for row in rows) / 1024
        print("| %s | %.0f | %.0f–%.0f | %.2f | %d / %d | %.1f |" % (
            rows[0]["peer"], statistics.median(rps), min(rps), max(rps),
            statistics.median(p99), bad, body, rss))
    print("\n| ratio (same round) | req/s: median (min–max) | p99: median |")
    print("| --- | ---: | ---: |")
    for name, key, base in RATIOS:
        pairs = [(r[key], r[base]) for r in rounds if key in r and base in r]
        if not pairs:
            continue
        rps = [a["rps"] / b["rps"] for a, b in pairs]
        p99 = [a["p99_us"] / b["p99_us"] for a, b in pairs]
        print("| %s | %.2f× (%.2f–%.2f) | %.2f× |" % (
            name, statistics.median(rps), min(rps), max(rps), statistics.median(p99)))


if __name__ == "__main__":
    main()

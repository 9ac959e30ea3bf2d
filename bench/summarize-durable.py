#!/usr/bin/env python3
"""Ranges (min / median / max over repetitions) of bench/results/durable/*.jsonl, as BENCHMARKS.md quotes them.

    bench/summarize-durable.py [results-dir]
"""
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

out = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "results" / "durable")


def rows(name):
    path = out / name
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def rng(values, fmt="{:,.0f}"):
    values = sorted(values)
    if not values:
        return "-"
    return (fmt + " / " + fmt + " / " + fmt).format(values[0], statistics.median(values), values[-1])


matrix = rows("matrix.jsonl")
pings = {(p["config"], p["run_w"], p["rep"]): p for p in rows("matrix-ping.jsonl")}
configs = [c for c in ("base", "memory", "never", "batch") if any(r["config"] == c for r in matrix)]
by = defaultdict(list)
for r in matrix:
    by[(r["config"], r["mode"], r["w"])].append(r)

print("pipelined throughput, appends/s (min / median / max)")
for w in (1, 2, 3):
    print(f"  w={w}: " + "; ".join(f"{c} {rng([r['ops_per_s'] for r in by[(c, 'pipelined', w)]])}" for c in configs))
print("one at a time p50 µs (min / median / max); ping p50 of the same clusters")
for w in (1, 2, 3):
    print(f"  w={w}: " + "; ".join(f"{c} {rng([r['p50_us'] for r in by[(c, 'sync', w)]], '{:.0f}')}" for c in configs))
    print(f"  ping: " + "; ".join(
        f"{c} {rng([pings[(c, w, r['rep'])]['p50_us'] for r in by[(c, 'sync', w)] if (c, w, r['rep']) in pings], '{:.0f}')}"
        for c in configs))
print("one at a time p99 µs")
for w in (1, 2, 3):
    print(f"  w={w}: " + "; ".join(f"{c} {rng([r['p99_us'] for r in by[(c, 'sync', w)]], '{:.0f}')}" for c in configs))
print("ratios per repetition (same repetition's runs)")
reps = sorted({r["rep"] for r in matrix})
for w in (1, 2, 3):
    def tput(c, rep):
        hit = [r["ops_per_s"] for r in by[(c, "pipelined", w)] if r["rep"] == rep]
        return hit[0] if hit else None
    for num, den in (("never", "memory"), ("never", "base"), ("batch", "never"), ("memory", "base")):
        ratios = [tput(num, rep) / tput(den, rep) for rep in reps if tput(num, rep) and tput(den, rep)]
        if ratios:
            print(f"  w={w} {num}/{den}: " + ", ".join(f"{x:.2f}" for x in ratios)
                  + f"; medians {statistics.median([r['ops_per_s'] for r in by[(num, 'pipelined', w)]]) / statistics.median([r['ops_per_s'] for r in by[(den, 'pipelined', w)]]):.2f}")
for r in matrix:
    if r.get("errors") or r.get("warn_lines") or r.get("error_lines") or r.get("resends"):
        print(f"  note: {r['config']} {r['mode']} w={r['w']} rep {r['rep']}: errors {r['errors']}, "
              f"WARN {r['warn_lines']}, ERROR {r['error_lines']}, partial-ACK resends {r['resends']}")

for name in ("memory.jsonl", "recovery.jsonl", "catchup.jsonl"):
    for r in rows(name):
        print(name, json.dumps(r))

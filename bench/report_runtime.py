#!/usr/bin/env python3
"""Prints the table of a runtime benchmark log written by run_runtime.sh.

Usage: report_runtime.py <log>

The log holds one line per run of a benchmark program (bench/runtime):
    round <r> <peer> <kernel> <median> <best> <unit> | n=<size> …
    round <r> <peer> <kernel> FAILED rc=<status> <stderr>
where <peer> is luminar-<plugin>, go, tbb, gomp or libomp. For every kernel and every
Luminar plugin the tables (one per benchmark) give, per peer, the median over the rounds of the runs' medians,
their ratio Luminar/peer, the median of the round-by-round ratio ("paired"), the same
ratio of the medians of the runs' best repetitions ("best", less sensitive to a busy
neighbour), and the target of the `steal` plugin (issue 4) where the issue names one. The tables are Markdown,
so they go into bench/README.md as printed.
"""
import re
import statistics
import sys

# The five benchmarks of the issue, a table each, and their kernels.
BENCHMARKS = (("1. Channels", ("chan_1p1c", "chan_4p4c", "pingpong", "select2")),
              ("2. Recursive fib, a spawn per call", ("fib",)),
              ("3. Spawn and join", ("spawn",)),
              ("4. Parked tasks: resident memory", ("park",)),
              ("5. Idle CPU", ("idle",)))
PEERS = {"fib": ("tbb", "gomp", "libomp")}  # every other kernel: go
PEER_NAMES = {"go": "Go", "tbb": "oneTBB", "gomp": "libgomp", "libomp": "libomp"}
# Targets of `steal`: (peer, largest ratio Luminar/peer). idle's is absolute (below).
TARGETS = {"chan_1p1c": ("go", 1.0), "chan_4p4c": ("go", 1.0), "pingpong": ("go", 1.0), "select2": ("go", 1.0),
           "fib": ("tbb", 1.0), "spawn": ("go", 0.5), "park": ("go", 1.5)}
IDLE_LIMIT = 1.0  # %cpu

LINE = re.compile(r"^round (\d+) (\S+) (\w+) (-?[\d.e+-]+) (-?[\d.e+-]+) (\S+) \|.*?\bn=(\d+)")
FAILED = re.compile(r"^round (\d+) (\S+) (\w+) FAILED (.*)$")


def parse(path):
    runs, failures = [], []
    with open(path, encoding="utf-8") as log:
        for line in log:
            if m := LINE.match(line):
                runs.append(dict(round=int(m[1]), peer=m[2], kernel=m[3], median=float(m[4]), best=float(m[5]),
                                 unit=m[6], n=int(m[7])))
            elif m := FAILED.match(line):
                failures.append(dict(round=int(m[1]), peer=m[2], kernel=m[3], why=m[4].strip()))
    return runs, failures


def fmt(value):
    if value != value:
        return "-"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


def main(path):
    runs, failures = parse(path)
    plugins = sorted({r["peer"] for r in runs if r["peer"].startswith("luminar-")})

    def results(peer, kernel):
        return [r for r in runs if r["peer"] == peer and r["kernel"] == kernel]

    def med(peer, kernel, field="median"):
        rs = results(peer, kernel)
        return statistics.median(r[field] for r in rs) if rs else float("nan")

    def row(kernel, plugin, peer):
        mine, theirs = results(plugin, kernel), results(peer, kernel)
        ours, peer_median = med(plugin, kernel), med(peer, kernel)
        ratio = ours / peer_median if peer_median > 0 else float("nan")
        peer_best = med(peer, kernel, "best")
        best_ratio = med(plugin, kernel, "best") / peer_best if peer_best > 0 else float("nan")
        # The ratio within each round, where both ran.
        by_round = {r["round"]: r["median"] for r in theirs}
        paired = [r["median"] / by_round[r["round"]] for r in mine if by_round.get(r["round"], 0) > 0]
        paired_median = statistics.median(paired) if paired else float("nan")
        target, status = "", ""
        if kernel == "idle":
            target, status = f"< {IDLE_LIMIT:g} %cpu", "met" if ours < IDLE_LIMIT else "**missed**"
        elif TARGETS.get(kernel, ("",))[0] == peer:
            limit = TARGETS[kernel][1]
            target, status = f"≤ {limit:g}", "met" if ratio <= limit else "**missed**"
        print(f"| {kernel} | {mine[0]['unit']} | {plugin.removeprefix('luminar-')} | {mine[0]['n']} | "
              f"{fmt(ours)} | {PEER_NAMES.get(peer, peer)} | {theirs[0]['n'] if theirs else '-'} | "
              f"{fmt(peer_median)} | {fmt(ratio)} | {fmt(paired_median)} | {fmt(best_ratio)} | {target} | {status} |")

    for title, kernels in BENCHMARKS:
        if not any(results(plugin, kernel) for plugin in plugins for kernel in kernels):
            continue
        print(f"\n**{title}**\n")
        print("| kernel | unit | plugin | n | Luminar | peer | n | peer | Luminar/peer | paired | best | target | |")
        print("|---|---|---|---:|---:|---|---:|---:|---:|---:|---:|---|---|")
        for kernel in kernels:
            for plugin in plugins:
                if results(plugin, kernel):
                    for peer in PEERS.get(kernel, ("go",)):
                        row(kernel, plugin, peer)

    counts = {}
    for r in runs:
        counts[(r["peer"], r["kernel"])] = counts.get((r["peer"], r["kernel"]), 0) + 1
    rounds = max(counts.values(), default=0)
    short = [f"{p} {k}: {c}" for (p, k), c in sorted(counts.items()) if c < rounds]
    print(f"\nmedians of {rounds} rounds" + (f"; fewer runs for {', '.join(short)}" if short else ""))
    for f in failures:
        print(f"FAILED: round {f['round']} {f['peer']} {f['kernel']}: {f['why']}")
    print("targets are those of the `steal` plugin (issue 4); `default` is shown against them for reference")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])

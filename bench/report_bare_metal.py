#!/usr/bin/env python3
"""Prints the tables of a bare-metal benchmark log written by run_bare_metal.sh.

Usage: report_bare_metal.py <log>

The log holds one line per run of a driver (bench/bare_metal/harness.cpp):
    round <r> <variant> <kernel> <median> <best> <unit> | <details>; same_cpu=<fraction>
For every kernel the tables give, over the rounds, the median of the runs' medians, the
median of their best batch or pass, and the same restricted to the runs in which the
threads ran on different CPUs, with the ratios luminar/omp and naive/omp and the targets.
"""
import re
import statistics
import sys

VARIANTS = ("luminar", "omp", "naive")
# luminar/omp time ratio allowed: per-construct overhead <= 1.0x libgomp's; large loops:
# throughput >= 0.98x libgomp's, i.e. time <= 1/0.98 of it.
LIMITS = {"parallel_for": 1.0, "reduction": 1.0, "sum": 1 / 0.98, "saxpy": 1 / 0.98}
UNITS = {"us_per_construct": "us/construct", "ns_per_element": "ns/element"}
# A run whose probes found two threads on one CPU at least this often counts as "packed".
PACKED = 0.5

# (A batch's overhead can come out below zero when its serial reference was descheduled.)
LINE = re.compile(r"^round (\d+) (\w+) (\w+) (-?[\d.]+) (-?[\d.]+) (\w+) \|.*same_cpu=([\d.]+)\s*$")


def parse(path):
    runs = []  # dicts: round, variant, kernel, median, best, unit, same_cpu
    with open(path, encoding="utf-8") as log:
        for line in log:
            m = LINE.match(line)
            if m:
                runs.append(dict(round=int(m[1]), variant=m[2], kernel=m[3], median=float(m[4]),
                                 best=float(m[5]), unit=m[6], same_cpu=float(m[7])))
    return runs


def median(values):
    return statistics.median(values) if values else float("nan")


def cell(value, width, digits):
    """value right-aligned in width, '-' where there is none."""
    return f"{'-':>{width}}" if value != value else f"{value:{width}.{digits}f}"


def paired_ratio(runs, kernel, field):
    """Median over rounds of luminar/omp, each pair taken from the same round."""
    by_round = {}
    for r in runs:
        if r["kernel"] == kernel and r["variant"] in ("luminar", "omp"):
            by_round.setdefault(r["round"], {})[r["variant"]] = r[field]
    return median([v["luminar"] / v["omp"] for v in by_round.values() if len(v) == 2 and v["omp"] > 0])


def table(runs, kernels, field, title, keep=lambda run: True, show_paired=True):
    print(title)
    print(f"{'kernel':<13} {'unit':<13} {'luminar':>10} {'omp':>10} {'naive':>10} {'luminar/omp':>12} "
          f"{'(paired)':>9} {'naive/omp':>10} {'target l/o':>11}  status")
    for kernel in kernels:
        rows = [r for r in runs if r["kernel"] == kernel and keep(r)]
        value = {v: median([r[field] for r in rows if r["variant"] == v]) for v in VARIANTS}
        counts = {v: sum(1 for r in rows if r["variant"] == v) for v in VARIANTS}
        unit = UNITS.get(rows[0]["unit"], rows[0]["unit"]) if rows else "-"
        ratio = value["luminar"] / value["omp"] if value["omp"] > 0 else float("nan")
        limit = LIMITS[kernel]
        status = "met" if ratio <= limit else ("MISSED" if ratio == ratio else "no data")
        paired = cell(paired_ratio(runs, kernel, field), 9, 3) if show_paired else f"{'':>9}"
        runs_note = "" if len(set(counts.values())) == 1 else "  (runs: " + ", ".join(
            f"{v} {counts[v]}" for v in VARIANTS) + ")"
        naive_ratio = value["naive"] / value["omp"] if value["omp"] > 0 else float("nan")
        print(f"{kernel:<13} {unit:<13} {cell(value['luminar'], 10, 4)} {cell(value['omp'], 10, 4)} "
              f"{cell(value['naive'], 10, 4)} {cell(ratio, 12, 3)} {paired} {cell(naive_ratio, 10, 2)} "
              f"{'<= ' + format(limit, '.3f'):>11}  {status}{runs_note}")
    print()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    runs = parse(sys.argv[1])
    if not runs:
        sys.exit(f"{sys.argv[1]}: no result lines")
    kernels = list(dict.fromkeys(r["kernel"] for r in runs))
    rounds = max(r["round"] for r in runs)
    table(runs, kernels, "median", f"Medians over {rounds} rounds of each run's median "
          "(overhead: of its 1-ms batches; loops: of its passes)")
    table(runs, kernels, "best", f"Medians over {rounds} rounds of each run's best batch or pass")
    # naive starts fresh threads for every construct, probes included: its same_cpu says
    # little about the constructs timed, so its runs are all kept.
    split = lambda r: r["variant"] == "naive" or r["same_cpu"] < PACKED
    table(runs, kernels, "median", "The same medians, only over the luminar and omp runs whose threads ran on "
          f"different CPUs (same_cpu < {PACKED}; naive: all runs)", keep=split, show_paired=False)
    print("Runs whose threads shared one CPU (same_cpu >= %.1f), of %d:" % (PACKED, rounds))
    for kernel in kernels:
        packed = {v: sum(1 for r in runs if r["kernel"] == kernel and r["variant"] == v and r["same_cpu"] >= PACKED)
                  for v in ("luminar", "omp")}
        print(f"  {kernel:<13} " + "  ".join(f"{v} {packed[v]}" for v in packed))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Draws a LUMINAR_TRACE file (Chrome Trace Event JSON) as a PNG: one row per worker, task
spans as horizontal bars, steals and parks as markers.

    python3 render_trace.py trace.json out.png [--title TEXT]

Needs matplotlib (Debian: python3-matplotlib). For interactive viewing open the JSON in
https://ui.perfetto.dev instead.
"""
import argparse
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        trace = json.load(f)
    events = trace.get("traceEvents", [])
    names = {e["tid"]: e["args"]["name"] for e in events if e.get("ph") == "M" and e.get("name") == "thread_name"}
    spans = [e for e in events if e.get("ph") == "X"]
    instants = [e for e in events if e.get("ph") == "i"]
    return trace, names, spans, instants


def render(path, out, title):
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    trace, names, spans, instants = load(path)
    tids = sorted(set(names) | {e["tid"] for e in spans + instants})
    if not tids:
        sys.exit(f"{path}: no events to draw")
    row = {tid: i for i, tid in enumerate(tids)}
    kinds = sorted({s["name"].split(" #")[0] for s in spans})
    palette = plt.get_cmap("tab10")
    colour = {k: palette(i % 10) for i, k in enumerate(kinds)}

    fig, ax = plt.subplots(figsize=(12, 1.2 + 0.7 * len(tids)), dpi=110)
    for s in spans:
        y = row[s["tid"]]
        ax.broken_barh([(s["ts"] / 1000.0, max(s["dur"], 0) / 1000.0)], (y - 0.35, 0.7),
                       facecolors=colour[s["name"].split(" #")[0]], edgecolors="white", linewidth=0.4)
    markers = {"steal": ("v", "black"), "park": ("s", "dimgray"), "unpark": ("^", "green")}
    for name, (marker, c) in markers.items():
        points = [e for e in instants if e["name"] == name]
        if points:
            ax.scatter([e["ts"] / 1000.0 for e in points], [row[e["tid"]] - 0.48 for e in points],
                       marker=marker, color=c, s=22, zorder=3, label=name)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colour[k]) for k in kinds]
    legend = ax.legend(handles + ax.get_legend_handles_labels()[0], kinds + ax.get_legend_handles_labels()[1],
                       loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=min(8, len(kinds) + 3), frameon=False,
                       fontsize=8)
    ax.set_yticks(range(len(tids)))
    ax.set_yticklabels([names.get(t, f"tid {t}") for t in tids])
    ax.invert_yaxis()
    ax.set_xlabel("time (ms since the recorder started)")
    dropped = trace.get("otherData", {}).get("dropped_events", 0)
    ax.set_title(title + (f"  ({dropped} events dropped)" if dropped else ""))
    ax.grid(axis="x", alpha=0.3)
    fig.savefig(out, bbox_inches="tight", bbox_extra_artists=[legend])
    print(f"{out}: {len(spans)} spans, {len(instants)} instants, {len(tids)} workers")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trace")
    parser.add_argument("out")
    parser.add_argument("--title", default="Luminar steal: tasks per worker")
    args = parser.parse_args()
    render(args.trace, args.out, args.title)


if __name__ == "__main__":
    main()

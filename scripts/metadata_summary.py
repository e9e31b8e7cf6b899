#!/usr/bin/env python3
"""Print a ConcurrencyCodeMetadata document (luminar --metadata) as a readable table.

Usage: metadata_summary.py <json>

One row per block: where it is, its kind and name, the mode and who chose it, the thread
count expression (bare-metal) or the features that needed the runtime, then the reasons
and warnings under the table. Only the standard library is used, so the example job can
call it on any machine. This script does not validate; scripts/validate_metadata.py does.
"""

import json
import os
import sys


def features_of(block):
    """What the block needs, in a few words: the runtime reasons, or the bare-metal shape."""
    if block.get("mode") == "runtime_assisted":
        used = block.get("runtime_assisted", {}).get("used_features") or []
        return ", ".join(used or block.get("required_features") or []) or "-"
    bare = block.get("bare_metal", {})
    parts = []
    if bare.get("schedule"):
        parts.append(f"schedule={bare['schedule']}")
    for r in bare.get("reductions", []):
        parts.append(f"reduction({r.get('op')}:{r.get('var')})")
    if bare.get("atomic_variables"):
        parts.append("atomic(" + ",".join(bare["atomic_variables"]) + ")")
    return " ".join(parts) or "-"


def threads_of(block):
    if block.get("mode") == "bare_metal":
        return block.get("bare_metal", {}).get("thread_count", "?")
    return "runtime"  # The plugin's worker pool decides.


def common_dir(blocks):
    """The directory all block files share, so the table can show short relative paths."""
    dirs = [os.path.dirname(b["file"]) for b in blocks if isinstance(b.get("file"), str)]
    if not dirs or not all(os.path.isabs(d) for d in dirs):
        return ""
    common = os.path.commonpath(dirs)
    return "" if common == os.path.sep else common


def shorten(path, base):
    """`path` relative to `base` when it lies below it; ids (`file:line:col`) work too."""
    if base and isinstance(path, str) and path.startswith(base + os.path.sep):
        return path[len(base) + 1:]
    return path


def table(headers, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*headers), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*map(str, row)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"metadata_summary: {argv[1]}: {e}", file=sys.stderr)
        return 1

    blocks = doc.get("blocks", [])
    tool = doc.get("tool", {})
    bare = sum(1 for b in blocks if b.get("mode") == "bare_metal")
    print(f"{argv[1]}: {len(blocks)} block(s) from {tool.get('name', '?')} "
          f"{tool.get('version', '?')}: {bare} bare-metal, {len(blocks) - bare} runtime-assisted")
    if not blocks:
        return 0

    base = common_dir(blocks)
    if base:
        print(f"(paths relative to {base})")
    headers = ["id", "kind", "name", "mode (source)", "threads", "tasks", "features"]
    rows = []
    for b in blocks:
        rows.append([
            shorten(b.get("id", "?"), base),
            b.get("kind", "?"),
            b.get("name") if b.get("name") is not None else "-",
            f"{b.get('mode', '?')} ({b.get('mode_source', '?')})",
            threads_of(b),
            b.get("estimated_task_count", "?"),
            features_of(b),
        ])
    print(table(headers, rows))

    # Reasons and warnings are per location; listing them under the table keeps rows short.
    for b in blocks:
        block_id = shorten(b.get("id"), base)
        for r in b.get("reasons", []):
            print(f"  {block_id}: needs {r.get('feature')}: {shorten(r.get('file'), base)}:"
                  f"{r.get('line')}:{r.get('column')}: {r.get('detail')}")
        for w in b.get("warnings", []):
            print(f"  {block_id}: warning: {shorten(w.get('file'), base)}:{w.get('line')}:"
                  f"{w.get('column')}: {w.get('message')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

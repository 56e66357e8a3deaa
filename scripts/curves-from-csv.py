#!/usr/bin/env python3
"""Turns the CSV beside a `maml4j plot` chart back into one metrics.jsonl per label (single-run
labels only), so that the curves of runs whose run directories are gone can be overlaid with new
runs by `maml4j plot LABEL=FILE ...`. Only what the chart held comes back: the plotted metrics
against total_env_steps, with iterations numbered 1, 2, ... in x order.

Usage: scripts/curves-from-csv.py CHART.csv OUTDIR [LABEL ...]   (default: every label)
"""
import csv
import json
import os
import re
import sys


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    path, out = argv[1], argv[2]
    wanted = set(argv[3:])
    rows = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if wanted and r["label"] not in wanted:
                continue
            if r["runs"] != "1":
                sys.exit(f"{path}: label {r['label']!r} averages {r['runs']} runs; only single runs come back")
            rows.setdefault(r["label"], {}).setdefault(float(r["x"]), {})[r["metric"]] = float(r["mean"])
    missing = wanted - rows.keys()
    if missing:
        sys.exit(f"{path}: no label {sorted(missing)}")
    os.makedirs(out, exist_ok=True)
    for label, by_x in rows.items():
        name = os.path.join(out, re.sub(r"[^A-Za-z0-9.-]+", "-", label).strip("-") + ".jsonl")
        with open(name, "w") as f:
            for i, x in enumerate(sorted(by_x), start=1):
                f.write(json.dumps({"iteration": i, **by_x[x], "total_env_steps": x}) + "\n")
        print(f"{name}: {len(by_x)} iterations of {label}")


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env bash
# ProMP's meta-iteration against MAML-TRPO's in one benchmark run: for each spec, the same
# `maml4j bench` with the spec's train section set to each method in turn, alternating
# trpo, promp, trpo, promp ... for ROUNDS rounds, so that a change in the machine's load falls on
# both methods alike. Prints every bench's medians, then per spec and method the median over the
# rounds of the median meta-iteration (and of its meta-step and sampling).
# Usage: [ROUNDS=2] [WARMUP=2] [MAML4J=./maml4j] scripts/bench-methods.sh [ITERATIONS] [SPEC...]
# (default 10 iterations after 2 warm-up ones, on navigation-2d and half-cheetah-dir).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
iterations="${1:-10}"
warmup="${WARMUP:-2}"
rounds="${ROUNDS:-2}"
launcher="${MAML4J:-./maml4j}"
shift || true
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(environments/navigation-2d.json environments/half-cheetah-dir.json)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for spec in "${specs[@]}"; do
  # A spec's files (MuJoCo models) are found beside it: link its directory's subdirectories.
  for d in "$(cd "$(dirname "$spec")" && pwd)"/*/; do
    [ -e "$tmp/$(basename "$d")" ] || ln -s "$d" "$tmp/$(basename "$d")"
  done
  for method in trpo promp; do
    python3 - "$spec" "$method" "$tmp/$(basename "$spec" .json)-$method.json" <<'PY'
import json, sys
spec, method, out = sys.argv[1:]
s = json.load(open(spec))
s.setdefault("train", {})["meta_optimizer"] = method
json.dump(s, open(out, "w"), indent=1)
PY
  done
done
for round in $(seq 1 "$rounds"); do
  for spec in "${specs[@]}"; do
    for method in trpo promp; do
      name="$(basename "$spec" .json)-$method"
      echo "== round $round, $spec, meta_optimizer $method"
      "$launcher" bench --env "$tmp/$name.json" --iterations "$iterations" --warmup "$warmup" \
        | grep -E "median meta-iteration|meta-step|sampling|adaptation" | tee -a "$tmp/$name.out"
    done
  done
done
echo "== median over $rounds rounds of each bench's medians (s): meta-iteration, meta-step, sampling"
for spec in "${specs[@]}"; do
  for method in trpo promp; do
    name="$(basename "$spec" .json)-$method"
    python3 - "$name" "$tmp/$name.out" <<'PY'
import re, statistics, sys
name, path = sys.argv[1:]
rows = {"median meta-iteration": [], "meta-step": [], "sampling": []}
for line in open(path):
    for key in rows:
        if line.strip().startswith(key):
            rows[key].append(float(re.findall(r"([0-9.]+) s", line)[0]))
print("%-28s %8.3f %8.3f %8.3f" % ((name,) + tuple(statistics.median(v) for v in rows.values())))
PY
  done
done

#!/usr/bin/env bash
# ProMP's meta-iteration against MAML-TRPO's in one benchmark run: for each spec, the same
# `maml4j bench` with the spec's train section set to each method in turn (medians printed by
# bench). Usage: scripts/bench-methods.sh [ITERATIONS] [SPEC...]
# (default 10 iterations after WARMUP=2 warm-up ones, on navigation-2d and half-cheetah-dir).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
iterations="${1:-10}"
warmup="${WARMUP:-2}"
shift || true
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(environments/navigation-2d.json environments/half-cheetah-dir.json)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for spec in "${specs[@]}"; do
  for method in trpo promp; do
    out="$tmp/$(basename "$spec" .json)-$method.json"
    python3 - "$spec" "$method" "$out" <<'PY'
import json, sys
spec, method, out = sys.argv[1:]
s = json.load(open(spec))
s.setdefault("train", {})["meta_optimizer"] = method
json.dump(s, open(out, "w"), indent=1)
PY
    echo "== $spec, meta_optimizer $method"
    ./maml4j bench --env "$out" --iterations "$iterations" --warmup "$warmup" | grep -E "median meta-iteration|meta-step|sampling|adaptation"
  done
done

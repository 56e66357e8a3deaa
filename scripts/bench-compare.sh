#!/usr/bin/env bash
# Times two maml4j checkouts against each other in alternating rounds of one run, so that both
# see the same machine load (these machines are shared and noisy: only ratios measured in the
# same run mean much). Prints every round and the medians of the per-round medians.
#
#   scripts/bench-compare.sh CHECKOUT_A CHECKOUT_B [ROUNDS] [-- BENCH ARGS...]
#
# Each checkout needs its ./maml4j launcher (it builds its jar on first use). Default bench
# arguments: --iterations 5 --warmup 2 (the default 2D-navigation config).
set -euo pipefail
a="$(cd "${1:?usage: bench-compare.sh CHECKOUT_A CHECKOUT_B [ROUNDS] [-- BENCH ARGS...]}" && pwd)"
b="$(cd "${2:?usage: bench-compare.sh CHECKOUT_A CHECKOUT_B [ROUNDS] [-- BENCH ARGS...]}" && pwd)"
shift 2
rounds=3
if [ $# -gt 0 ] && [ "$1" != "--" ]; then rounds="$1"; shift; fi
[ "${1:-}" = "--" ] && shift
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--iterations 5 --warmup 2)
logs="$(mktemp -d)"
for r in $(seq 1 "$rounds"); do
  for side in a b; do
    dir=$([ "$side" = a ] && echo "$a" || echo "$b")
    (cd "$dir" && ./maml4j bench "${args[@]}") > "$logs/$side-$r.log" 2>&1 \
      || { tail -5 "$logs/$side-$r.log"; echo "bench-compare: bench failed in $dir" >&2; exit 1; }
    line() { grep -m1 "$1" "$logs/$side-$r.log" | grep -oE '[0-9]+(\.[0-9]+)?' | head -1; }
    echo "round $r $side: meta-iteration $(line '^median meta-iteration') s, meta-step $(line '^  meta-step') s," \
      "peak RSS $(line '^peak RSS') MB ($dir)"
  done
done | tee "$logs/rounds.txt"
python3 - "$logs/rounds.txt" <<'PY'
import re, statistics, sys
rows = {"a": [], "b": []}
for l in open(sys.argv[1]):
    m = re.match(r"round \d+ (a|b): meta-iteration ([\d.]+) s, meta-step ([\d.]+) s, peak RSS (\d+)", l)
    if m:
        rows[m[1]].append((float(m[2]), float(m[3]), float(m[4])))
med = {k: [statistics.median(c) for c in zip(*v)] for k, v in rows.items()}
a, b = med["a"], med["b"]
print(f"median meta-iteration a {a[0]:.3f} s, b {b[0]:.3f} s: b is {a[0] / b[0]:.2f}x a's speed; "
      f"meta-step {a[1]:.3f} / {b[1]:.3f} s; peak RSS {a[2]:.0f} / {b[2]:.0f} MB")
PY
echo "logs: $logs"

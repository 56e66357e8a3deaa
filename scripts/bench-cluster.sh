#!/usr/bin/env bash
# In-process vs a 2-worker loopback cluster, in ALTERNATING rounds of one run, so that the load of
# a shared machine falls on both alike; prints each round's medians, then the medians over rounds
# and their ratio.
#
#   scripts/bench-cluster.sh [SPEC] [ROUNDS] [ITERATIONS] [WARMUP]
#   scripts/bench-cluster.sh environments/half-cheetah-vel.json 2 3 1
#
# In-process: `maml4j bench` on 2 threads. Cluster: two `maml4j worker --threads 1` on 127.0.0.1
# (one core each, the same 2 cores), and `maml4j bench --cluster`. Round r runs in-process first
# when r is odd and the cluster first when it is even. Run after `mvn -o package -DskipTests`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
spec="${1:-environments/navigation-2d.json}"
rounds="${2:-2}"
iterations="${3:-3}"
warmup="${4:-1}"
name="bench-$$"
out="$(mktemp -d "${TMPDIR:-/tmp}/bench-cluster.XXXXXX")"
export MAML4J_CLUSTER_SECRET="bench-secret-$$-$RANDOM"
cd "$here"

pids=()
cleanup() {
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    wait "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT

# Waits for a worker's "joined" line and prints its address.
await_worker() {
  local log="$1"
  for _ in $(seq 1 600); do
    if grep -q "joined cluster" "$log" 2>/dev/null; then
      sed -n "s/.* as \([0-9.]*:[0-9]*\) .*/\1/p" "$log" | head -1
      return 0
    fi
    sleep 0.5
  done
  echo "bench-cluster: a worker did not join; its log:" >&2
  cat "$log" >&2
  return 1
}

./maml4j worker --threads 1 --port 5901 --cluster-name "$name" >"$out/worker1.log" 2>&1 &
pids+=($!)
first="$(await_worker "$out/worker1.log")"
./maml4j worker --threads 1 --port 5902 --join "$first" --cluster-name "$name" >"$out/worker2.log" 2>&1 &
pids+=($!)
await_worker "$out/worker2.log" >/dev/null

run_local() {
  ./maml4j bench --env "$spec" --iterations "$iterations" --warmup "$warmup" >"$out/local-$1.txt" 2>"$out/local-$1.err"
}
run_cluster() {
  ./maml4j bench --env "$spec" --iterations "$iterations" --warmup "$warmup" --cluster "$first" \
    --cluster-name "$name" >"$out/cluster-$1.txt" 2>"$out/cluster-$1.err"
}
field() {
  sed -n "s/^$2 *\([0-9.]*\).*/\1/p" "$1" | head -1
}

echo "bench-cluster: $spec, $rounds rounds of $iterations iterations after $warmup warm-up; outputs in $out"
for r in $(seq 1 "$rounds"); do
  # A failed bench (killed by someone else on a shared machine, say) costs its round, not the run.
  if [ $((r % 2)) -eq 1 ]; then
    run_local "$r" || echo "round $r: in-process bench failed (exit $?), see $out/local-$r.err"
    run_cluster "$r" || echo "round $r: cluster bench failed (exit $?), see $out/cluster-$r.err"
  else
    run_cluster "$r" || echo "round $r: cluster bench failed (exit $?), see $out/cluster-$r.err"
    run_local "$r" || echo "round $r: in-process bench failed (exit $?), see $out/local-$r.err"
  fi
  l="$(field "$out/local-$r.txt" "median meta-iteration")"
  c="$(field "$out/cluster-$r.txt" "median meta-iteration")"
  echo "round $r: in-process $l s, cluster $c s (load $(cut -d' ' -f1-3 /proc/loadavg))"
done

python3 - "$out" "$rounds" <<'EOF'
import re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def per_iteration(path):
    # The measured iterations' wall times, from the bench's per-iteration lines on stderr.
    try:
        text = open(path).read()
    except OSError:
        return []
    return [float(m.group(1)) for m in re.finditer(r"^iteration \d+: ([0-9.]+) s", text, re.M)]
def value(path, label):
    m = re.search(r"^" + re.escape(label) + r"\s+([0-9.]+)", open(path).read(), re.M)
    return float(m.group(1)) if m else float("nan")
local = [t for r in range(1, rounds + 1) for t in per_iteration(f"{out}/local-{r}.err")]
cluster = [t for r in range(1, rounds + 1) for t in per_iteration(f"{out}/cluster-{r}.err")]
ml, mc = statistics.median(local), statistics.median(cluster)
print(f"median meta-iteration over {len(local)} + {len(cluster)} measured iterations: in-process {ml:.3f} s, "
      f"cluster {mc:.3f} s, ratio {mc / ml:.3f}")
c = [f"{out}/cluster-{r}.txt" for r in range(1, rounds + 1) if "cluster round" in open(f"{out}/cluster-{r}.txt").read()]
text = open(c[0]).read()
for line in text.splitlines():
    if line.startswith("cluster ") or line.startswith("maml4j bench") or line.startswith("env steps"):
        print("cluster, round 1: " + line)
for label in ("cluster round overhead",):
    vals = [value(p, label) for p in c]
    print(f"{label}: per round {vals} ms, median {statistics.median(vals):.2f} ms")
vals = [value(p, "cluster round") for p in c]
print(f"cluster round (after the first of an iteration): per round {vals} ms, median {statistics.median(vals):.2f} ms")
EOF

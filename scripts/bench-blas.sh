#!/usr/bin/env bash
# Compares ND4J's bundled OpenBLAS with Debian's in alternating rounds of the same session (the
# machine's load drifts, so rounds interleave): the GEMM micro-bench, the curvature products and a
# short meta-iteration bench with each. Usage: scripts/bench-blas.sh [ROUNDS] [ITERATIONS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds="${1:-2}"
iterations="${2:-10}"
for r in $(seq 1 "$rounds"); do
  for blas in bundled system; do
    echo "=== round $r, BLAS $blas"
    MAML4J_BLAS=$blas ./maml4j bench --gemm --iterations 30 --warmup 5
    MAML4J_BLAS=$blas ./maml4j bench --products --iterations 30 --warmup 5
    MAML4J_BLAS=$blas ./maml4j bench --iterations "$iterations" --warmup 2 2>/dev/null
  done
done

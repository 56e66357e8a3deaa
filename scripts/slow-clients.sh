#!/usr/bin/env bash
# Slow clients against `maml4j serve`: 200 loopback connections trickle a request header one byte
# every 5 s for 60 s while a well-formed client creates, resets, steps and closes instances; prints
# that client's latency percentiles and failures. Bounded: the bench stops itself after the
# duration, and the server it started is stopped by its pid.
#
#   scripts/slow-clients.sh [SERVER_JAR] [PORT] [-- bench options]
#
# SERVER_JAR (default target/maml4j.jar) runs the server, so an older build can be compared; the
# bench itself always runs from target/maml4j.jar. Bench options: --connections 200 --interval 5
# --duration 60 --timeout 5.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER_JAR=${1:-target/maml4j.jar}
PORT=${2:-5077}
shift $(( $# >= 2 ? 2 : $# ))
[[ "${1:-}" == "--" ]] && shift
BENCH_JAR=target/maml4j.jar
[[ -f "$SERVER_JAR" && -f "$BENCH_JAR" ]] || { echo "slow-clients: build first (mvn -o package -DskipTests)" >&2; exit 2; }

java -Xmx1g -jar "$SERVER_JAR" serve --host 127.0.0.1 --port "$PORT" >/tmp/slow-clients-server.$$.log 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  sleep 0.2
done
timeout 300 java -cp "$BENCH_JAR" io.maml4j.gym.GymSlowClientBench --url "http://127.0.0.1:$PORT" "$@"

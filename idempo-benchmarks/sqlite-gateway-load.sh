#!/usr/bin/env bash
# The gateway on SQLite, new keys, against a baseline gateway (another build of idempo-cli) in the
# same run: both gateways start side by side in front of one no-op upstream, each on its own
# SQLite file, and wrk measures them alternately, round after round, so the machine's noise shows
# in the spread. Issue 13 item 3 compares group commit (this build) with one commit per write
# (the build before it):
#
#   git archive b991cbf | tar -x -C /tmp/idempo-baseline   # the commit before group commit
#   (cd /tmp/idempo-baseline && ./mvnw -q -pl idempo-cli -am package -DskipTests)
#   ./mvnw -q -pl idempo-benchmarks,idempo-cli -am package -DskipTests
#   idempo-benchmarks/sqlite-gateway-load.sh /tmp/idempo-baseline/idempo-cli/target/idempo.jar
#
# usage: idempo-benchmarks/sqlite-gateway-load.sh BASELINE_CLI_JAR [seconds=10] [connections=16]
#        [rounds=3] [warm-up seconds=20]
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=${1:?usage: $0 BASELINE_CLI_JAR [seconds] [connections] [rounds] [warm-up seconds]}
seconds=${2:-10}
connections=${3:-16}
rounds=${4:-3}
warmup=${5:-20}
jar=idempo-benchmarks/target/benchmarks.jar
cli=idempo-cli/target/idempo.jar
lua=idempo-benchmarks/src/main/resources/wrk
work=$(mktemp -d /tmp/idempo-sqlite-gateway.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() {
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2; exit 1
}
start_gateway() { # start_gateway JAR PORT UPSTREAM_PORT
  java -jar "$1" gateway --listen "127.0.0.1:$2" --upstream "http://127.0.0.1:$3" \
    --store "sqlite:$work/gateway-$2.db" > "$work/gateway-$2.log" 2>&1 & pids+=($!)
  wait_port "$2"
}
row() { # row LABEL PORT: prints and returns requests/s
  local out rps
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$lua/fresh-key.lua" \
    "http://127.0.0.1:$2/charges")
  rps=$(awk '/Requests\/sec:/ {print $2}' <<<"$out")
  printf '%-34s %12s %10s %10s\n' "$1" "$rps" "$(awk '$1=="50%" {print $2}' <<<"$out")" \
    "$(awk '$1=="99%" {print $2}' <<<"$out")" >&2
  echo "$rps"
}

up=$(free_port); base=$(free_port); cand=$(free_port)
java -cp "$jar" dev.idempo.benchmarks.UpstreamServer "$up" 0 > "$work/upstream.log" 2>&1 & pids+=($!)
wait_port "$up"
start_gateway "$baseline" "$base" "$up"
start_gateway "$cli" "$cand" "$up"
for port in "$base" "$cand"; do # warm-up: the JIT, and the SQLite files past their first pages
  wrk -t2 -c"$connections" -d"${warmup}s" -s "$lua/fresh-key.lua" "http://127.0.0.1:$port/charges" > /dev/null
done
printf '%-34s %12s %10s %10s\n' "gateway sqlite, new keys" "requests/s" "p50" "p99" >&2
for round in $(seq 1 "$rounds"); do
  b=$(row "round $round: baseline" "$base")
  c=$(row "round $round: this build" "$cand")
  awk -v b="$b" -v c="$c" -v r="$round" 'BEGIN {printf "round %s: this build %.2fx of the baseline\n", r, c / b}' >&2
done

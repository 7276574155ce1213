#!/usr/bin/env bash
# HTTP load runs with wrk (Debian package `wrk`), each next to its baseline in the same run:
#   servlet  the servlet filter's cost: the same endpoint without and with IdempotencyFilter, with
#            the server's CPU per request (SERVLET_WARMUP=30 s of warm-up, SERVLET_ROUNDS=2)
#   gateway  the gateway's cost: the upstream alone, nginx proxy_pass (the reference proxy), and
#            the gateway on each engine (Netty, Jetty) with the memory store, and on Netty with the
#            sqlite and redis stores; each gateway warmed up for WARMUP seconds (default 30), each
#            row with the proxy's CPU, context switches and allocation per request
# Every scenario runs twice: a new Idempotency-Key per request (every request a first run) and
# one key for all (every request after the first a replay).
#
# usage: [WARMUP=30] idempo-benchmarks/http-load.sh [servlet|gateway|all] [seconds] [connections]
# Build first: ./mvnw -q -pl idempo-benchmarks,idempo-cli -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
seconds=${2:-10}
connections=${3:-16}
jar=idempo-benchmarks/target/benchmarks.jar
lua=idempo-benchmarks/src/main/resources/wrk
work=$(mktemp -d /tmp/idempo-http-load.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_port() {
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2; exit 1
}

# wrk_row LABEL URL SCRIPT: prints requests/s, p50 and p99 in ms.
wrk_row() {
  local out
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$3" "$2")
  local rps p50 p99
  rps=$(awk '/Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  printf '%-44s %12s %10s %10s\n' "$1" "$rps" "$p50" "$p99"
  echo "$1 $rps" >> "$work/rps"
}

ratio() { # ratio LABEL BASELINE_LABEL
  awk -v a="$1" -v b="$2" '$0 ~ "^"a" [0-9.]+$" {x=$NF} $0 ~ "^"b" [0-9.]+$" {y=$NF} END {if (x && y) printf "  %-42s %.2fx of %s\n", a, x/y, b}' "$work/rps"
}

header() { printf '\n%-44s %12s %10s %10s\n' "$1" "requests/s" "p50" "p99"; }

# gc_ticks PID: CPU ticks of the JVM's garbage collector threads (G1's workers and refinement).
gc_ticks() {
  local t total=0 comm
  for t in /proc/"$1"/task/*; do
    comm=$(cat "$t/comm" 2>/dev/null) || continue
    case "$comm" in
      "GC Thread"*|G1*) total=$((total + $(awk '{sub(/.*\) /, ""); print $12 + $13}' "$t/stat"))) ;;
    esac
  done
  echo "$total"
}

# servlet_row PID LABEL URL SCRIPT: wrk_row plus the server's CPU per request (all its threads,
# GC and JIT included, from /proc), the part of it the garbage collector's threads used, and the
# load average beside it.
servlet_row() {
  local pid=$1; shift
  local before after gc_before gc_after requests
  before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  gc_before=$(gc_ticks "$pid")
  wrk_row "$@" | tee "$work/servlet-row"
  after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  gc_after=$(gc_ticks "$pid")
  requests=$(awk -v s="$seconds" '{print $(NF - 2) * s}' "$work/servlet-row")
  awk -v t="$(getconf CLK_TCK)" -v d="$((after - before))" -v g="$((gc_after - gc_before))" \
    -v n="$requests" -v l="$(cut -d' ' -f1 /proc/loadavg)" \
    'BEGIN {printf "  %-42s %9.1f µs server CPU per request, %.1f of it GC (load %s)\n", "", d * 1e6 / t / n, g * 1e6 / t / n, l}'
}

# The filter's cost: the same endpoint with and without it, in one server, after a warm-up long
# enough for the JIT (SERVLET_WARMUP seconds, 30 by default, split between both endpoints), in
# ROUNDS alternating rounds (SERVLET_ROUNDS, 2 by default) so both see the same machine.
servlet() {
  local port; port=$(free_port)
  local warmup=${SERVLET_WARMUP:-30}
  java -cp "$jar" dev.idempo.benchmarks.ServletFilterServer "$port" > "$work/servlet.log" 2>&1 & pids+=($!)
  local pid=$!
  wait_port "$port"
  wrk -t2 -c"$connections" -d"$((warmup / 2))s" -s "$lua/fresh-key.lua" "http://127.0.0.1:$port/guarded/charges" > /dev/null
  wrk -t2 -c"$connections" -d"$((warmup / 2))s" -s "$lua/fresh-key.lua" "http://127.0.0.1:$port/plain/charges" > /dev/null
  header "servlet filter (Jetty 12, in-memory store)"
  for round in $(seq 1 "${SERVLET_ROUNDS:-2}"); do
    servlet_row "$pid" "servlet: without Idempo" "http://127.0.0.1:$port/plain/charges" "$lua/fresh-key.lua"
    servlet_row "$pid" "servlet: with Idempo, new keys" "http://127.0.0.1:$port/guarded/charges" "$lua/fresh-key.lua"
    servlet_row "$pid" "servlet: with Idempo, replays" "http://127.0.0.1:$port/guarded/charges" "$lua/same-key.lua"
    ratio "servlet: with Idempo, new keys" "servlet: without Idempo"
    ratio "servlet: with Idempo, replays" "servlet: without Idempo"
  done
}

# starter-load.sh sources this file (which=lib) for its functions, work directory and cleanup.
[ "$which" = lib ] && return 0

case "$which" in
  servlet) servlet ;;
  gateway) . idempo-benchmarks/gateway-load.sh ;;
  all) servlet; . idempo-benchmarks/gateway-load.sh ;;
  *) echo "usage: $0 [servlet|gateway|all] [seconds] [connections]" >&2; exit 2 ;;
esac

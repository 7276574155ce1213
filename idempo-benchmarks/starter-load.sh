#!/usr/bin/env bash
# The Spring Boot starter's cost under wrk: one Spring Boot application (Spring MVC on Tomcat) with
# the same no-op POST handler at /plain (without Idempo) and /guarded (@Idempotent, the store on
# Redis through the starter's idempo.store.* properties), driven alternately in ROUNDS rounds after
# WARMUP seconds of warm-up (30 by default, for the JIT, split between both endpoints). Each row
# prints requests/s, p50, p99 and the application's CPU per request (all its threads, from /proc);
# each round ends with the ratios guarded/plain for new keys and for replays. redis-server's CPU per
# request is printed beside the application's: the part of the store's cost outside the JVM.
# redis-server runs on a random loopback port without persistence, as in gateway-load.sh.
#
# PROFILE=FILE.jfr adds one more run on /guarded (new keys) recorded by JFR (settings=profile, or
# PROFILE_SETTINGS=FILE.jfc, e.g. with jdk.ExecutionSample every 1 ms).
#
# usage: [WARMUP=30] [ROUNDS=3] [PROFILE=f.jfr] [JAVA_OPTS=...] idempo-benchmarks/starter-load.sh \
#            [seconds] [connections]
# Build first: ./mvnw -q -pl idempo-benchmarks -am package -DskipTests
# Spring Boot is not in benchmarks.jar: the application runs on the module's Maven class path.
set -euo pipefail
seconds=${1:-10}
connections=${2:-16}
# http-load.sh's helpers (free_port, wait_port, servlet_row, ratio, header), its work directory and
# its cleanup of every pid in pids.
. "$(dirname "$0")/http-load.sh" lib "$seconds" "$connections"

command -v redis-server >/dev/null \
  || { echo "redis-server is missing: apt-get install redis-server" >&2; exit 1; }

# The module's class path, provided scope included (Spring Boot, the starter), from a compile of the
# reactor (up to date after the build: quick), so reactor modules are their target/classes.
classpath() {
  ./mvnw -q -B -o -pl idempo-benchmarks -am compile dependency:build-classpath \
    -Dspotless.check.skip=true -Dmdep.outputFile="$work/classpath" > "$work/maven.log" 2>&1 \
    || { cat "$work/maven.log" >&2; exit 1; }
  echo "idempo-benchmarks/target/classes:$(cat "$work/classpath")"
}

# wait_app PID PORT: Spring Boot takes longer to start than wait_port waits on a loaded machine.
wait_app() {
  for _ in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
    kill -0 "$1" 2>/dev/null \
      || { echo "the application exited:" >&2; cat "$work/starter.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "the application does not listen on port $2 after 120 s:" >&2
  cat "$work/starter.log" >&2
  exit 1
}

# starter_row PID LABEL URL SCRIPT: servlet_row (the application's CPU per request) plus
# redis-server's CPU per request: the store's share that runs outside the JVM.
starter_row() {
  local before after out
  before=$(awk '{print $14 + $15}' "/proc/$redis/stat")
  out=$(servlet_row "$@")
  after=$(awk '{print $14 + $15}' "/proc/$redis/stat")
  echo "$out"
  awk -v t="$(getconf CLK_TCK)" -v d="$((after - before))" -v s="$seconds" \
    -v rps="$(head -1 <<<"$out" | awk '{print $(NF - 2)}')" \
    'BEGIN {printf "  %-42s %9.1f µs redis-server CPU per request\n", "", d * 1e6 / t / (rps * s)}'
}

starter() {
  local cp; cp=$(classpath)
  local rp; rp=$(free_port)
  redis-server --port "$rp" --bind 127.0.0.1 --save '' --appendonly no \
    --maxmemory-policy noeviction > "$work/redis.log" 2>&1 & pids+=($!)
  redis=$!
  wait_port "$rp"
  local port; port=$(free_port)
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  java ${JAVA_OPTS:-} -cp "$cp" dev.idempo.benchmarks.starter.StarterBenchmarkApp \
    --server.port="$port" --server.address=127.0.0.1 \
    --idempo.store.type=redis --idempo.store.redis.uri="redis://127.0.0.1:$rp" \
    > "$work/starter.log" 2>&1 & pids+=($!)
  local pid=$!
  wait_app "$pid" "$port"
  if ! grep -q 'Idempo guards 1 handler' "$work/starter.log"; then
    echo "the application did not report its guarded handler:" >&2
    cat "$work/starter.log" >&2
    exit 1
  fi
  local warmup=${WARMUP:-30}
  local app=http://127.0.0.1:$port fresh=$lua/fresh-key.lua same=$lua/same-key.lua
  wrk -t2 -c"$connections" -d"$((warmup / 2))s" -s "$fresh" "$app/guarded" > /dev/null
  wrk -t2 -c"$connections" -d"$((warmup / 2))s" -s "$fresh" "$app/plain" > /dev/null
  header "Spring Boot starter (Tomcat, Redis store)"
  for round in $(seq 1 "${ROUNDS:-3}"); do
    starter_row "$pid" "starter: without Idempo" "$app/plain" "$fresh"
    starter_row "$pid" "starter: with Idempo, new keys" "$app/guarded" "$fresh"
    starter_row "$pid" "starter: with Idempo, replays" "$app/guarded" "$same"
    ratio "starter: with Idempo, new keys" "starter: without Idempo"
    ratio "starter: with Idempo, replays" "starter: without Idempo"
  done
  if [ -n "${PROFILE:-}" ]; then
    # One more run on /guarded with new keys under JFR's profiling settings, nothing else.
    jcmd "$pid" JFR.start name=starter settings="${PROFILE_SETTINGS:-profile}" > /dev/null
    wrk -t2 -c"$connections" -d"${seconds}s" -s "$fresh" "$app/guarded" > /dev/null
    jcmd "$pid" JFR.stop name=starter filename="$(realpath -m "$PROFILE")" > /dev/null
    echo "JFR recording of /guarded, new keys: $PROFILE"
  fi
}

starter

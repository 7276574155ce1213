# Sourced by http-load.sh: the gateway on each engine (Netty, Jetty) next to the upstream alone and
# to nginx proxy_pass (one worker, keep-alive to the upstream), for a no-op upstream and one with
# 2 ms of service time. Each gateway gets WARMUP seconds (default 30) of load first, so the JIT has
# compiled the data path. Beside requests/s and latency, each row prints what one request cost the
# proxy process, from /proc and the JVM: CPU (utime+stime), context switches (voluntary and not,
# summed over its threads) and, for the JVM, bytes allocated (heap used at the row's ends, from
# jcmd GC.heap_info, plus what each young collection in between freed, from -Xlog:gc).
# The gateway JVMs run with the options the `idempo` launcher gives `idempo gateway`
# (idempo-cli/gateway.jvm-options; GATEWAY_JAVA_OPTS replaces them; the allocation column needs
# G1: GATEWAY_JAVA_OPTS=-XX:+UseG1GC). ENGINES (default
# "netty jetty") picks the engines measured.
command -v nginx >/dev/null || { echo "nginx is missing: apt-get install nginx-light" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install redis-server" >&2; exit 1; }
command -v jcmd >/dev/null || { echo "jcmd (a JDK) is missing" >&2; exit 1; }
cli=${GATEWAY_JAR:-idempo-cli/target/idempo.jar} # GATEWAY_JAR: another build, to compare
warmup=${WARMUP:-30}
engines=${ENGINES:-netty jetty}
if [ -n "${GATEWAY_JAVA_OPTS+set}" ]; then
  read -r -a gateway_java_opts <<<"$GATEWAY_JAVA_OPTS"
else
  gateway_java_opts=("@idempo-cli/gateway.jvm-options")
fi
ticks=$(getconf CLK_TCK)
declare -A proxy_pid

start_gateway() { # start_gateway PORT UPSTREAM_PORT STORE ENGINE
  # A 30 s retention and room for 2M records: the memory store never fills during a run (its
  # default 100k records would be full within seconds, and every new key then answered 503).
  java ${gateway_java_opts[@]+"${gateway_java_opts[@]}"} -Xlog:gc:file="$work/gc-$1.log":uptime \
    -jar "$cli" gateway --listen "127.0.0.1:$1" \
    --upstream "http://127.0.0.1:$2" --store "$3" --engine "$4" --retention 30s \
    > "$work/gateway-$1.log" 2>&1 & pids+=($!)
  proxy_pid[$1]=$!
  wait_port "$1"
}

# proc_point PID: CPU ticks and context switches of the process so far.
proc_point() {
  local cpu switches
  cpu=$(awk '{print $14 + $15}' "/proc/$1/stat")
  switches=$(cat /proc/"$1"/task/*/status 2>/dev/null \
    | awk '/^(voluntary|nonvoluntary)_ctxt_switches/ {s += $2} END {print s}')
  echo "$cpu $switches"
}

# heap_point PID: the JVM's uptime (s) and heap used (KiB) now.
heap_point() {
  local up used
  up=$(jcmd "$1" VM.uptime | awk 'NR==2 {print $1}')
  used=$(jcmd "$1" GC.heap_info | awk '/used/ {for (i=1;i<=NF;i++) if ($i=="used") {gsub(/[K,]/,"",$(i+1)); print $(i+1); exit}}')
  echo "$up $used"
}

# allocated_kib GCLOG T0 USED0 T1 USED1: KiB allocated between two heap points.
allocated_kib() {
  awk -v t0="$2" -v u0="$3" -v t1="$4" -v u1="$5" '
    function kib(s) { v = s + 0; if (s ~ /G/) return v * 1048576; if (s ~ /M/) return v * 1024; if (s ~ /K/) return v; return v / 1024 }
    /Pause/ && /->/ {
      t = substr($1, 2) + 0
      for (i = 1; i <= NF; i++) if ($i ~ /->/) { split($i, a, "->"); sub(/\(.*/, "", a[2]); before = kib(a[1]); after = kib(a[2]) }
      if (t > t0 && t <= t1) freed += before - after
    }
    END { printf "%.0f", u1 - u0 + freed }' "$1"
}

# load_row LABEL URL SCRIPT [PORT]: wrk, then requests/s, p50, p99, x nginx and, with the proxy's
# PORT, its CPU, context switches and allocation per request.
load_row() {
  local label=$1 url=$2 script=$3 port=${4:-} pid="" p0="" h0="" out
  [ -n "$port" ] && pid=${proxy_pid[$port]:-}
  if [ -n "$pid" ]; then
    # Allocation is read off G1's young pauses only (with ZGC, the launcher's default, run again
    # with GATEWAY_JAVA_OPTS=-XX:+UseG1GC for this column).
    [ -f "$work/gc-$port.log" ] && grep -q "Using G1" "$work/gc-$port.log" && h0=$(heap_point "$pid")
    p0=$(proc_point "$pid")
  fi
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$script" "$url")
  local p1 h1
  if [ -n "$pid" ]; then
    p1=$(proc_point "$pid")
    [ -n "$h0" ] && h1=$(heap_point "$pid")
  fi
  local requests rps p50 p99 cpu switches alloc ratio errors
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $NF} /Socket errors/ {print "socket:" $0}' <<<"$out" | tr '\n' ' ')
  rps=$(awk '/Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  cpu=-; switches=-; alloc=-
  if [ -n "$p0" ]; then
    read -r c0 s0 <<<"$p0"; read -r c1 s1 <<<"$p1"
    cpu=$(awk -v d=$((c1 - c0)) -v n="$requests" -v hz="$ticks" 'BEGIN {printf "%.0f", d / hz * 1e6 / n}')
    switches=$(awk -v d=$((s1 - s0)) -v n="$requests" 'BEGIN {printf "%.2f", d / n}')
  fi
  if [ -n "$h0" ]; then
    read -r t0 u0 <<<"$h0"; read -r t1 u1 <<<"$h1"
    alloc=$(awk -v k="$(allocated_kib "$work/gc-$port.log" "$t0" "$u0" "$t1" "$u1")" -v n="$requests" \
      'BEGIN {printf "%.1f", k / n}')
  fi
  ratio=$(awk -v x="$rps" -v y="${nginx_rps:-0}" 'BEGIN {if (y > 0) printf "%.2f", x / y; else print "-"}')
  printf '%-40s %10s %8s %8s %7s %9s %8s %8s %s\n' "$label" "$rps" "$p50" "$p99" "$ratio" "$cpu" \
    "$switches" "$alloc" "${errors:+ non-2xx: $errors}"
  echo "$label $rps" >> "$work/rps"
  last_rps=$rps
}

load_header() {
  printf '\n%-40s %10s %8s %8s %7s %9s %8s %8s\n' "$1" "req/s" "p50" "p99" "xnginx" \
    "CPU µs/req" "cs/req" "KiB/req"
}

warm() { # warm PORT SECONDS
  wrk -t1 -c"$connections" -d"${2}s" -s "$lua/fresh-key.lua" "http://127.0.0.1:$1/charges" > /dev/null
}

gateway_scenarios() { # gateway_scenarios SERVICE_MICROS
  local up np gn gj gs gr rp
  up=$(free_port); np=$(free_port); gn=$(free_port); gj=$(free_port); gs=$(free_port)
  gr=$(free_port); rp=$(free_port)
  java -cp "$jar" dev.idempo.benchmarks.UpstreamServer "$up" "$1" > "$work/upstream-$up.log" 2>&1 & pids+=($!)
  redis-server --port "$rp" --bind 127.0.0.1 --save '' --appendonly no --maxmemory-policy noeviction \
    > "$work/redis.log" 2>&1 & pids+=($!)
  mkdir -p "$work/nginx-$np"
  cat > "$work/nginx-$np/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-$np/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx-$np/body;
  proxy_temp_path $work/nginx-$np/proxy;
  upstream backend { server 127.0.0.1:$up; keepalive 64; }
  server {
    listen 127.0.0.1:$np;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
  wait_port "$up"
  wait_port "$rp"
  nginx -c "$work/nginx-$np/nginx.conf" -p "$work/nginx-$np"
  wait_port "$np"
  proxy_pid[$np]=$(pgrep -P "$(cat "$work/nginx.pid")" | head -1) # the one worker
  for engine in $engines; do
    case $engine in
      netty) start_gateway "$gn" "$up" memory:2000000 netty ;;
      jetty) start_gateway "$gj" "$up" memory:2000000 jetty ;;
    esac
  done
  local tag="upstream ${1}µs"
  local full=${FULL:-$([ "$1" = 0 ] && echo 1 || echo 0)}
  if [ "$full" = 1 ]; then
    start_gateway "$gs" "$up" "sqlite:$work/gateway-$gs.db" netty
    start_gateway "$gr" "$up" "redis://127.0.0.1:$rp" netty
  fi
  warm "$up" 3
  warm "$np" 3
  for port in "$gn" "$gj"; do [ -n "${proxy_pid[$port]:-}" ] && warm "$port" "$warmup"; done
  if [ "$full" = 1 ]; then for port in "$gs" "$gr"; do warm "$port" "$warmup"; done; fi
  echo "load: $(uptime)"
  load_header "gateway, $tag"
  nginx_rps=
  load_row "$tag: upstream alone" "http://127.0.0.1:$up/charges" "$lua/fresh-key.lua"
  load_row "$tag: nginx proxy_pass" "http://127.0.0.1:$np/charges" "$lua/fresh-key.lua" "$np"
  nginx_rps=$last_rps
  if [ -n "${proxy_pid[$gn]:-}" ]; then
    load_row "$tag: netty, memory, new keys" "http://127.0.0.1:$gn/charges" "$lua/fresh-key.lua" "$gn"
    load_row "$tag: netty, memory, replays" "http://127.0.0.1:$gn/charges" "$lua/same-key.lua" "$gn"
  fi
  if [ -n "${proxy_pid[$gj]:-}" ]; then
    load_row "$tag: jetty, memory, new keys" "http://127.0.0.1:$gj/charges" "$lua/fresh-key.lua" "$gj"
    load_row "$tag: jetty, memory, replays" "http://127.0.0.1:$gj/charges" "$lua/same-key.lua" "$gj"
  fi
  if [ "$full" = 1 ]; then
    load_row "$tag: netty, sqlite, new keys" "http://127.0.0.1:$gs/charges" "$lua/fresh-key.lua" "$gs"
    load_row "$tag: netty, redis, new keys" "http://127.0.0.1:$gr/charges" "$lua/fresh-key.lua" "$gr"
  fi
  echo "load: $(uptime)"
  kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  pids=()
  sleep 1
}

for service in ${SERVICE_MICROS:-0 2000}; do gateway_scenarios "$service"; done

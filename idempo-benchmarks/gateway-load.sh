# Sourced by http-load.sh: the gateway next to the upstream alone and to nginx proxy_pass (one
# worker, keep-alive to the upstream), for a no-op upstream and one with 2 ms of service time.
command -v nginx >/dev/null || { echo "nginx is missing: apt-get install nginx-light" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install redis-server" >&2; exit 1; }
cli=idempo-cli/target/idempo.jar

start_gateway() { # start_gateway PORT UPSTREAM_PORT STORE
  java -jar "$cli" gateway --listen "127.0.0.1:$1" --upstream "http://127.0.0.1:$2" --store "$3" \
    > "$work/gateway-$1.log" 2>&1 & pids+=($!)
  wait_port "$1"
}

gateway_scenarios() { # gateway_scenarios SERVICE_MICROS
  local up np gm gs gr rp
  up=$(free_port); np=$(free_port); gm=$(free_port); gs=$(free_port); gr=$(free_port); rp=$(free_port)
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
  start_gateway "$gm" "$up" memory
  start_gateway "$gs" "$up" "sqlite:$work/gateway-$gs.db"
  start_gateway "$gr" "$up" "redis://127.0.0.1:$rp"
  for port in "$up" "$np" "$gm" "$gs" "$gr"; do # warm-up
    wrk -t1 -c4 -d3s -s "$lua/fresh-key.lua" "http://127.0.0.1:$port/charges" > /dev/null
  done
  local tag="upstream ${1}µs"
  header "gateway, $tag"
  wrk_row "$tag: upstream alone" "http://127.0.0.1:$up/charges" "$lua/fresh-key.lua"
  wrk_row "$tag: nginx proxy_pass" "http://127.0.0.1:$np/charges" "$lua/fresh-key.lua"
  wrk_row "$tag: gateway memory, new keys" "http://127.0.0.1:$gm/charges" "$lua/fresh-key.lua"
  wrk_row "$tag: gateway memory, replays" "http://127.0.0.1:$gm/charges" "$lua/same-key.lua"
  wrk_row "$tag: gateway sqlite, new keys" "http://127.0.0.1:$gs/charges" "$lua/fresh-key.lua"
  wrk_row "$tag: gateway sqlite, replays" "http://127.0.0.1:$gs/charges" "$lua/same-key.lua"
  wrk_row "$tag: gateway redis, new keys" "http://127.0.0.1:$gr/charges" "$lua/fresh-key.lua"
  wrk_row "$tag: gateway redis, replays" "http://127.0.0.1:$gr/charges" "$lua/same-key.lua"
  for scenario in "gateway memory, new keys" "gateway sqlite, new keys" "gateway redis, new keys" "nginx proxy_pass"; do
    ratio "$tag: $scenario" "$tag: upstream alone"
  done
  for scenario in "gateway memory, new keys" "gateway memory, replays" "gateway redis, new keys"; do
    ratio "$tag: $scenario" "$tag: nginx proxy_pass"
  done
  kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  pids=()
  sleep 1
}

gateway_scenarios 0
gateway_scenarios 2000

#!/usr/bin/env bash
# Router throughput benchmark: wrk against a 13-byte nginx backend directly, through nginx
# (upstream keepalive), through haproxy and through wharf-router, all on 127.0.0.1.
# Targets run interleaved in every round so background load hits them alike; each result
# is compared with nginx in the same round.
#
#   bench/router/run.sh [--rounds N] [--duration SECONDS] [--router PATH] [--scenarios c64,c512,routes100-c64]
#
# Scenarios: one route at 64 and at 512 connections, and 100 routes of 3 endpoints each
# (wrk picks a Host per request with a Lua script) at 64 connections. TLS (not in the default
# list): tls-c64 (HTTPS, keep-alive) and tls-close-c64 (a new connection and TLS handshake per
# request), wharf-router's TLS port against nginx's, on one self-signed P-256 certificate made at
# start (openssl CLI) for localhost and *.localhost; wrk's SNI is the URL's host, "localhost".
# Needs wrk, nginx and haproxy (scripts/setup.sh installs them); installs nothing itself.
# Not part of the test suite. Everything it starts it stops by pid.
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=3
duration=10
router=build/router/wharf-router
scenarios=c64,c512,routes100-c64
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --router) router=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds N] [--duration SECONDS] [--router PATH] [--scenarios LIST]" >&2; exit 2 ;;
  esac
done

for tool in wrk nginx haproxy; do
  if ! command -v "$tool" >/dev/null; then
    echo "bench: $tool is missing (run scripts/setup.sh as root)" >&2
    exit 1
  fi
done
if [ ! -x "$router" ]; then
  echo "bench: $router not built (ninja -C build wharf-router, or pass --router)" >&2
  exit 1
fi

base=${BENCH_PORT_BASE:-28000}
backend_ports=($((base + 1)) $((base + 2)) $((base + 3)))
nginx_port=$((base + 10)); haproxy_port=$((base + 11)); wharf_port=$((base + 12)); admin_port=$((base + 13))
nginx_tls_port=$((base + 14)); wharf_tls_port=$((base + 15))
work=$(mktemp -d /tmp/wharf-router-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# ---- configuration ------------------------------------------------------------------
nroutes=100
mkdir -p "$work/logs"
listen_lines=""
for p in "${backend_ports[@]}"; do listen_lines+="    listen 127.0.0.1:$p;"$'\n'; done
cat > "$work/backend.conf" <<EOF
worker_processes 1;
pid $work/backend.pid;
error_log $work/logs/backend-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000;
  server {
$listen_lines    location / { return 200 "Hello, World!"; }
  }
}
EOF

upstreams=""; servers=""; haproxy_backends=""; haproxy_map=""; routes_json=""; hosts_lua=""
for i in $(seq 1 $nroutes); do
  host="app$i.test"
  upstreams+="  upstream u$i { server 127.0.0.1:${backend_ports[0]}; server 127.0.0.1:${backend_ports[1]}; server 127.0.0.1:${backend_ports[2]}; keepalive KEEPALIVE; }"$'\n'
  servers+="  server { listen 127.0.0.1:$nginx_port; listen 127.0.0.1:$nginx_tls_port ssl; server_name $host; location / { proxy_pass http://u$i; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"$'\n'
  haproxy_backends+="backend b$i"$'\n'
  for k in 0 1 2; do haproxy_backends+="  server s$k 127.0.0.1:${backend_ports[$k]}"$'\n'; done
  haproxy_map+="$host b$i"$'\n'
  eps=""
  for k in 0 1 2; do
    eps+="{\"instance_id\":\"r$i-$k\",\"app_guid\":\"app$i\",\"address\":\"127.0.0.1:${backend_ports[$k]}\"}"
    [ $k -lt 2 ] && eps+=","
  done
  routes_json+="{\"route\":\"$host\",\"endpoints\":[$eps]}"
  [ "$i" -lt $nroutes ] && routes_json+=","
  hosts_lua+="\"$host\","
done
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" \
  -days 1 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,DNS:*.localhost" 2>/dev/null
certs_json=$(python3 -c 'import json, sys
print(json.dumps([{"domain": "localhost", "certificate": open(sys.argv[1]).read(), "private_key": open(sys.argv[2]).read(),
                   "http": "allow"}]))' "$work/tls.crt" "$work/tls.key")
echo "{\"routes\":[$routes_json],\"certificates\":$certs_json}" > "$work/routes.json"

write_nginx_proxy() {  # $1 = upstream keepalive connections per worker
  cat > "$work/nginx.conf" <<EOF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/logs/nginx-error.log;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 100000;
  ssl_certificate $work/tls.crt;
  ssl_certificate_key $work/tls.key;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_session_cache off;
  ssl_session_tickets off;
${upstreams//KEEPALIVE/$1}
${servers}
}
EOF
}

printf '%s' "$haproxy_map" > "$work/hosts.map"
cat > "$work/haproxy.cfg" <<EOF
global
  nbthread 2
  maxconn 8000
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-request 10s
  http-reuse safe
frontend f
  bind 127.0.0.1:$haproxy_port
  use_backend %[req.hdr(host),lower,map($work/hosts.map)]
$haproxy_backends
EOF

cat > "$work/hosts.lua" <<EOF
local hosts = {${hosts_lua%,}}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/", { Host = hosts[(n % #hosts) + 1] })
end
EOF

# ---- processes ------------------------------------------------------------------------
nginx -c "$work/backend.conf" -p "$work" -g 'daemon off;' & pids+=($!)
haproxy -db -f "$work/haproxy.cfg" >"$work/logs/haproxy.log" 2>&1 & pids+=($!)
"$router" --port "$wharf_port" --tls-port "$wharf_tls_port" --admin-port "$admin_port" --threads 2 --listen 127.0.0.1 \
  --routes-file "$work/routes.json" >"$work/logs/router.log" 2>&1 & router_pid=$!; pids+=($router_pid)
nginx_pid=""
start_nginx_proxy() {  # $1 = keepalive
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; fi
  write_nginx_proxy "$1"
  nginx -c "$work/nginx.conf" -p "$work" -g 'daemon off;' & nginx_pid=$!; pids+=($nginx_pid)
  sleep 0.5
}
sleep 1

# ---- measurement ------------------------------------------------------------------------
to_ms() {  # wrk latency "812.00us" / "1.23ms" / "1.02s" -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
run_wrk() {  # $1 port, $2 connections, $3 host-or-"lua", $4 seconds [, $5 mode: http|tls|tls-close] -> "rps p50 p99"
  local args=(-t2 -c"$2" -d"$4"s --latency)
  if [ "$3" = lua ]; then args+=(-s "$work/hosts.lua"); else args+=(-H "Host: $3"); fi
  local url="http://127.0.0.1:$1/"
  case ${5:-http} in
    tls) url="https://localhost:$1/" ;;
    tls-close) url="https://localhost:$1/"; args+=(-H "Connection: close") ;;
  esac
  local out
  out=$(wrk "${args[@]}" "$url")
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec/ { printf "%d", $2 }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  errors=$(awk '/Non-2xx|Socket errors/ { printf "%s ", $0 }' <<<"$out")
  [ -n "$errors" ] && echo "    wrk reported: $errors" >&2
  echo "$rps $p50 $p99"
}

clk_tck=$(getconf CLK_TCK)
cpu_ticks() {  # utime + stime of a process and its children (nginx workers), in clock ticks
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
  done
  echo "$total"
}

results="$work/results.txt"
: >"$results"
scenario() {  # $1 name, $2 connections, $3 host-or-lua [, $4 mode: http|tls|tls-close]
  local name=$1 conns=$2 host=$3 mode=${4:-http}
  local targets="direct nginx haproxy wharf"
  [ "$mode" != http ] && targets="nginx wharf"
  if [ "$conns" -ge 512 ]; then start_nginx_proxy 1024; else start_nginx_proxy 64; fi
  echo "== $name: $conns connections, $duration s per run, $rounds rounds"
  for round in $(seq 1 "$rounds"); do
    local nginx_rps=0
    for target in $targets; do
      local port pid
      case $target in
        direct) port=${backend_ports[0]}; pid=${pids[0]} ;;
        nginx) port=$nginx_port; pid=$nginx_pid ;;
        haproxy) port=$haproxy_port; pid=${pids[1]} ;;
        wharf) port=$wharf_port; pid=$router_pid ;;
      esac
      [ "$mode" != http ] && [ "$target" = nginx ] && port=$nginx_tls_port
      [ "$mode" != http ] && [ "$target" = wharf ] && port=$wharf_tls_port
      local h=$host
      [ "$target" = direct ] && [ "$host" = lua ] && h=app1.test
      run_wrk "$port" "$conns" "$h" 2 "$mode" >/dev/null  # warm-up
      local t0 t1
      t0=$(cpu_ticks "$pid")
      read -r rps p50 p99 < <(run_wrk "$port" "$conns" "$h" "$duration" "$mode")
      t1=$(cpu_ticks "$pid")
      local us_per_req
      us_per_req=$(awk -v d=$((t1 - t0)) -v hz="$clk_tck" -v r="$rps" -v s="$duration" \
        'BEGIN { printf "%.1f", (r > 0 ? d / hz * 1e6 / (r * s) : 0) }')
      [ "$target" = nginx ] && nginx_rps=$rps
      local ratio="-"
      if [ "$target" != direct ] && [ "$nginx_rps" -gt 0 ]; then
        ratio=$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN { printf "%.2f", a / b }')
      fi
      printf '   round %d  %-8s %8s req/s  p50 %7s ms  p99 %7s ms  cpu %6s us/req  vs nginx %s\n' \
        "$round" "$target" "$rps" "$p50" "$p99" "$us_per_req" "$ratio"
      echo "$name $target $round $rps $p50 $p99 $ratio $us_per_req" >>"$results"
    done
  done
}

for s in ${scenarios//,/ }; do
  case $s in
    c64) scenario c64 64 app1.test ;;
    c512) scenario c512 512 app1.test ;;
    routes100-c64) scenario routes100-c64 64 lua ;;
    tls-c64) scenario tls-c64 64 app1.test tls ;;
    tls-close-c64) scenario tls-close-c64 64 app1.test tls-close ;;
    *) echo "bench: unknown scenario '$s' (known: c64, c512, routes100-c64, tls-c64, tls-close-c64)" >&2; exit 2 ;;
  esac
done

echo
echo "== medians over $rounds rounds (ratio = median of per-round ratios to nginx;"
echo "   cpu = the proxy's (or backend's) own CPU time per request)"
printf '%-14s %-8s %10s %9s %9s %11s %9s\n' scenario target req/s p50_ms p99_ms cpu_us/req vs_nginx
for name in ${scenarios//,/ }; do
  for target in direct nginx haproxy wharf; do
    grep -q "^$name $target " "$results" || continue
    awk -v n="$name" -v t="$target" '$1 == n && $2 == t { print $4, $5, $6, $7, $8 }' "$results" | python3 -c '
import sys, statistics
rows = [l.split() for l in sys.stdin if l.strip()]
med = lambda i: statistics.median(float(r[i]) for r in rows)
ratio = "-" if rows[0][3] == "-" else "%.2f" % statistics.median(float(r[3]) for r in rows)
print("%-14s %-8s %10d %9.2f %9.2f %11.1f %9s" % (sys.argv[1], sys.argv[2], med(0), med(1), med(2), med(4), ratio))' "$name" "$target"
  done
done
peak_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$router_pid/status")
echo
echo "wharf-router peak RSS: $((peak_kb / 1024)) MiB ($peak_kb kB)"

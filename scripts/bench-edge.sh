#!/usr/bin/env bash
# The reference edge next to nginx, in one run, on the same machine and the same requests, as
# ratios (the goals in brackets):
#
#   http-301     GET http://…/images/a.jpg   redirect-to-https → 301          [edge ≥ 1.0× nginx]
#   http-403     GET http://…/account/a      https-only → 403                 [edge ≥ 1.0× nginx]
#   https-fwd    GET https://…/legacy/a      forwarded to a local origin      [edge ≥ 0.8× nginx]
#   https-close  the same with `Connection: close`: a full TLS handshake per request (measured)
#
# Both servers write an access log (nginx: its default unbuffered `combined` log; the edge: its
# CloudFront log). The origin is a separate one-worker nginx both forward to over HTTP/1.1
# keep-alive. Besides req/s, each run counts the server's CPU time per request (all its
# threads or workers, from /proc): far steadier than req/s on a shared machine.
# Keep-alive runs use `wrk -t2 -c$CONNS`; nginx and the edge alternate ROUNDS times per
# scenario and the median ratio is printed. Then the 10k-idle-connections test
# (scripts/bench-idle.py): a fresh request's latency while IDLE_CONNS idle connections and
# HALF_HEADS half-sent request heads are held, and whether the half heads are closed after the
# edge's --header-timeout. Loopback only; every load is bounded in count and time.
#
#   scripts/bench-edge.sh                     # CONNS=64 SECS=5 ROUNDS=3
#   SCENARIOS="http-301 http-403" scripts/bench-edge.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CONNS=${CONNS:-64}
SECS=${SECS:-5}
ROUNDS=${ROUNDS:-3}
SCENARIOS=${SCENARIOS:-http-301 http-403 https-fwd https-close}
IDLE_CONNS=${IDLE_CONNS:-10000}
HALF_HEADS=${HALF_HEADS:-500}
HEADER_TIMEOUT=${HEADER_TIMEOUT:-10}
HOST=d111111abcdef8.cloudfront.net
bin=target/release/edgeconform
work=$(mktemp -d)
edge_pid=
nginx_started=
idle_failed=

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [[ -n $edge_pid ]]; then kill "$edge_pid" 2>/dev/null || true; wait "$edge_pid" 2>/dev/null || true; fi
  if [[ -n $nginx_started ]]; then
    for pidfile in "$work/nginx.pid" "$work/origin/nginx.pid"; do
      if [[ -s $pidfile ]]; then kill -QUIT "$(cat "$pidfile")" 2>/dev/null || true; fi
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

need() { # need COMMAND DEBIAN-PACKAGE: installs it as root, else stops with a clear message
  command -v "$1" >/dev/null && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y -qq --no-install-recommends "$2" >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "$2" >/dev/null; }
  fi
  command -v "$1" >/dev/null || { echo "bench-edge: $1 is missing (apt-get install $2)" >&2; exit 2; }
}
need wrk wrk
need nginx nginx-light
need openssl openssl
need python3 python3

if [[ -z ${SKIP_BUILD:-} ]]; then cargo build --release -q -p edgeconform; fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
origin_port=$(free_port); n301=$(free_port); n403=$(free_port); nproxy=$(free_port)

# nginx: one master, as many workers as cores (its default `auto`), an access log per server.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/ec.key" \
  -out "$work/ec.crt" -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,DNS:$HOST,IP:127.0.0.1" 2>/dev/null
mkdir -p "$work/logs" "$work/tmp" "$work/origin/logs" "$work/origin/tmp"
# The origin is an nginx of its own, so the CPU counted for nginx as a proxy is the proxy's alone.
cat >"$work/origin/nginx.conf" <<EOF
worker_processes 1; pid nginx.pid; error_log logs/error.log warn;
events { worker_connections 4096; }
http {
  keepalive_requests 10000000; keepalive_timeout 60s; access_log off;
  client_body_temp_path tmp; proxy_temp_path tmp; fastcgi_temp_path tmp; uwsgi_temp_path tmp; scgi_temp_path tmp;
  server { listen 127.0.0.1:$origin_port; location / { return 200 "hello from the origin\n"; } }
}
EOF
cat >"$work/nginx.conf" <<EOF
worker_processes auto; pid nginx.pid; error_log logs/error.log warn;
events { worker_connections 16384; }
http {
  keepalive_requests 10000000; keepalive_timeout 60s; default_type text/html;
  client_body_temp_path tmp; proxy_temp_path tmp; fastcgi_temp_path tmp; uwsgi_temp_path tmp; scgi_temp_path tmp;
  upstream origin { server 127.0.0.1:$origin_port; keepalive 128; }
  server { listen 127.0.0.1:$n301; access_log logs/access-301.log;
           location / { return 301 https://\$host\$request_uri; } }
  server { listen 127.0.0.1:$n403; access_log logs/access-403.log;
           location / { return 403; } }
  server { listen 127.0.0.1:$nproxy ssl; access_log logs/access-proxy.log;
           ssl_certificate ec.crt; ssl_certificate_key ec.key; ssl_protocols TLSv1.2 TLSv1.3;
           ssl_session_tickets off; ssl_session_cache off;
           location / { proxy_pass http://origin; proxy_http_version 1.1;
                        proxy_set_header Connection ""; proxy_set_header Host \$host; } }
}
EOF
nginx_started=1
nginx -p "$work/origin/" -c nginx.conf
nginx -p "$work/" -c nginx.conf

start_edge() { # start_edge EXTRA-FLAGS...: the edge on its own ports, its addresses in $http and $https
  "$bin" edge --distribution specs/distributions/standard.yaml --access-log "$work/edge.log" \
    --origin "legacy=http://127.0.0.1:$origin_port" --origin "assets=http://127.0.0.1:$origin_port" \
    "$@" >"$work/edge.json" 2>"$work/edge.err" &
  edge_pid=$!
  for _ in $(seq 100); do grep -q '"https"' "$work/edge.json" 2>/dev/null && break; sleep 0.1; done
  http=$(python3 -c "import json
for l in open('$work/edge.json'):
    d = json.loads(l)
    if d.get('scheme') == 'http': print(d['addr'])")
  https=${http:+$(python3 -c "import json
for l in open('$work/edge.json'):
    d = json.loads(l)
    if d.get('scheme') == 'https': print(d['addr'])")}
  if [[ -z $http || -z $https ]]; then
    echo "bench-edge: the edge did not start:" >&2; cat "$work/edge.json" "$work/edge.err" >&2; exit 3
  fi
}
stop_edge() { kill "$edge_pid" 2>/dev/null || true; wait "$edge_pid" 2>/dev/null || true; edge_pid=; }

start_edge
# Check each scenario answers as expected before timing anything.
check() { # check URL STATUS [CURL-FLAGS]
  local got
  got=$(curl -sk -o /dev/null -w '%{http_code}' -H "Host: $HOST" "${@:3}" "$1")
  [[ $got == "$2" ]] || { echo "bench-edge: $1 answered $got, expected $2" >&2; exit 3; }
}
check "http://$http/images/a.jpg" 301; check "http://127.0.0.1:$n301/images/a.jpg" 301
check "http://$http/account/a" 403; check "http://127.0.0.1:$n403/account/a" 403
check "https://$https/legacy/a" 200; check "https://127.0.0.1:$nproxy/legacy/a" 200

# cpu_ticks PID...: user + system clock ticks of these processes (every thread) so far.
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
nginx_workers() { ps --ppid "$(cat "$work/nginx.pid")" -o pid= | tr -s ' \n' ' '; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))

# measure OUT URL PIDS [WRK-FLAGS]: "req/s server-CPU-µs-per-request", with wrk's errors and
# unexpected statuses noted in OUT.
measure() {
  local out=$1 url=$2 pids=$3 before after n
  # shellcheck disable=SC2086  # a list of pids
  before=$(cpu_ticks $pids)
  wrk -t2 -c"$CONNS" -d"${SECS}s" -H "Host: $HOST" "${@:4}" "$url" >"$out" 2>&1 || true
  # shellcheck disable=SC2086
  after=$(cpu_ticks $pids)
  n=$(awk '/requests in/ {print $1}' "$out")
  awk -v n="${n:-0}" -v t=$((after - before)) -v us="$TICK_US" \
    '/Requests\/sec/ {printf "%s %.1f\n", $2, (n > 0 ? t * us / n : 0)}' "$out"
}

declare -A url_edge url_nginx
url_edge[http-301]="http://$http/images/a.jpg";  url_nginx[http-301]="http://127.0.0.1:$n301/images/a.jpg"
url_edge[http-403]="http://$http/account/a";     url_nginx[http-403]="http://127.0.0.1:$n403/account/a"
url_edge[https-fwd]="https://$https/legacy/a";   url_nginx[https-fwd]="https://127.0.0.1:$nproxy/legacy/a"
url_edge[https-close]="https://$https/legacy/a"; url_nginx[https-close]="https://127.0.0.1:$nproxy/legacy/a"
# wrk only sends its own header when written with the space (`Connection:close` stays keep-alive).
wrk_flags() { if [[ $1 == https-close ]]; then echo "-H"; echo "Connection: close"; fi; }

: >"$work/summary.txt"
for s in $SCENARIOS; do
  [[ -n ${url_edge[$s]:-} ]] || { echo "bench-edge: unknown scenario $s" >&2; exit 2; }
  ratios=(); cpus=()
  for r in $(seq "$ROUNDS"); do
    mapfile -t extra < <(wrk_flags "$s")
    read -r n ncpu < <(measure "$work/wrk-nginx-$s-$r.txt" "${url_nginx[$s]}" "$(nginx_workers)" "${extra[@]}")
    read -r e ecpu < <(measure "$work/wrk-edge-$s-$r.txt" "${url_edge[$s]}" "$edge_pid" "${extra[@]}")
    errs=$(grep -h -E 'Socket errors|Non-2xx' "$work/wrk-nginx-$s-$r.txt" "$work/wrk-edge-$s-$r.txt" | tr -s ' ' | paste -sd ';' - || true)
    ratio=$(python3 -c "print(f'{float(\"${e:-0}\") / max(float(\"${n:-0}\"), 1):.2f}')")
    ratios+=("$ratio")
    cpus+=("$(python3 -c "print(f'{float(\"${ncpu:-0}\") / max(float(\"${ecpu:-0}\"), 0.01):.2f}')")")
    printf '%-12s round %d: nginx %9s req/s %6s µs CPU/req   edge %9s req/s %6s µs CPU/req   edge/nginx %s  %s\n' \
      "$s" "$r" "${n:-?}" "${ncpu:-?}" "${e:-?}" "${ecpu:-?}" "$ratio" "$errs"
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  echo "$s $(median "${ratios[@]}") $(median "${cpus[@]}")" >>"$work/summary.txt"
done

stop_edge
if [[ $IDLE_CONNS -gt 0 ]]; then
echo "== idle connections: $IDLE_CONNS idle + $HALF_HEADS half-sent heads, --header-timeout $HEADER_TIMEOUT"
# Each connection is a file descriptor on both ends; raise the soft limit when the hard one allows.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
start_edge --header-timeout "$HEADER_TIMEOUT"
python3 scripts/bench-idle.py --addr "$http" --host "$HOST" --idle "$IDLE_CONNS" \
  --half "$HALF_HEADS" --timeout "$HEADER_TIMEOUT" | tee "$work/idle.txt" || idle_failed=1
stop_edge
fi

echo "== edge vs nginx, median of $ROUNDS rounds (wrk -t2 -c$CONNS, ${SECS}s each; goals: edge ≥ 1.0× nginx on HTTP, ≥ 0.8× forwarded)"
echo "   req/s ratio = edge req/s / nginx req/s; CPU ratio = nginx CPU per request / edge's (> 1: the edge spends less)"
while read -r s m c; do
  case $s in
    http-301|http-403) goal="≥ 1.0";; https-fwd) goal="≥ 0.8";; *) goal="measured";;
  esac
  printf '  %-12s req/s ratio %s  CPU ratio %s  (goal %s)\n' "$s" "$m" "$c" "$goal"
done <"$work/summary.txt"
[[ -s $work/idle.txt ]] && grep -E '^(latency|half heads)' "$work/idle.txt" | sed 's/^/  /' || true
if [[ -n $idle_failed ]]; then echo "bench-edge: the idle-connections check FAILED (see above)" >&2; exit 1; fi

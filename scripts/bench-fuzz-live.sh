#!/usr/bin/env bash
# Throughput of `edgeconform fuzz`: judged requests per second against the reference edge, next to
# wrk's raw rate on the same edge (goal: at least 5,000 judged requests/s on 2 cores).
#
# A standalone instrumented origin and reference edge are started on loopback; wrk sends one URL
# the edge forwards to the origin (GET http://…/public/a, keep-alive), then `edgeconform fuzz`
# sends REQUESTS generated requests to the same edge (the full mix: HTTP and HTTPS, HTTP/1.0, 1.1
# and 2, every method, redirects, refusals and forwards, each one judged with the origin's record).
# The fuzz rate is bounded by --rate only so high that it never binds.
#
#   REQUESTS=100000 JOBS=16 SECONDS_WRK=5 scripts/bench-fuzz-live.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-100000}
JOBS=${JOBS:-16}
CONNS=${CONNS:-16}
SECONDS_WRK=${SECONDS_WRK:-5}
bin=${BIN:-target/release/edgeconform}
dist=specs/distributions/standard.yaml
work=$(mktemp -d)
pids=()
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

if [[ -z ${SKIP_BUILD:-} && -z ${BIN:-} ]]; then cargo build --release -q -p edgeconform --bin edgeconform; fi

"$bin" origin --distribution "$dist" --ca-dir "$work/ca" >"$work/origin.json" 2>"$work/origin.err" &
pids+=($!)
for _ in $(seq 100); do grep -q '"control"' "$work/origin.json" 2>/dev/null && break; sleep 0.1; done
control=$(python3 -c "import json
for l in open('$work/origin.json'):
    d = json.loads(l)
    if d.get('event') == 'control': print(d['addr']); break")
[ -n "$control" ] || { echo "bench-fuzz-live: no control address from the origin:"; cat "$work/origin.json" "$work/origin.err"; exit 3; }

"$bin" edge --distribution "$dist" --origin-control "http://$control" --ca-dir "$work/ca" >"$work/edge.json" 2>"$work/edge.err" &
pids+=($!)
for _ in $(seq 100); do grep -q '"https"' "$work/edge.json" 2>/dev/null && break; sleep 0.1; done
addr_of() { python3 -c "import json
for l in open('$work/edge.json'):
    d = json.loads(l)
    if d.get('event') == 'listener' and d.get('scheme') == '$1': print(d['addr']); break"; }
http=$(addr_of http)
https=$(addr_of https)
[ -n "$http" ] && [ -n "$https" ] || { echo "bench-fuzz-live: cannot read the edge's addresses:"; cat "$work/edge.json" "$work/edge.err"; exit 3; }
host=d111111abcdef8.cloudfront.net

wrk_rps=
if command -v wrk >/dev/null; then
  echo "== wrk: GET http://$http/public/a (Host $host, forwarded to the origin), $CONNS connections, ${SECONDS_WRK}s"
  wrk -t2 -c"$CONNS" -d"${SECONDS_WRK}s" -H "Host: $host" "http://$http/public/a" | tee "$work/wrk.txt"
  wrk_rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
else
  echo "== wrk is not installed: no ratio (apt-get install wrk)"
fi

echo "== edgeconform fuzz: $REQUESTS generated requests, --jobs $JOBS"
"$bin" fuzz --target "http://$http" --target-https "https://$https" --origin-control "$control" --ca "$work/ca/ca.pem" \
  --distribution "$dist" --requests "$REQUESTS" --seed 1 --rate 10000000 --jobs "$JOBS" \
  -o "$work/reports" --found "$work/found" 2>&1 | grep -E 'requests in|^  [A-Z]' || true
python3 - "$work/reports/latest/fuzz.json" "${wrk_rps:-}" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rate = r["judged_per_second"]
line = f"fuzz: {r['requests']} requests judged in {r['duration_ms']} ms = {rate:,.0f} judged/s ({len(r['groups'])} groups, {r['errors']} errors)"
if sys.argv[2]:
    wrk = float(sys.argv[2])
    line += f"; wrk: {wrk:,.0f} req/s; ratio fuzz/wrk = {rate / wrk:.2f}"
print(line)
PY

echo "== edgeconform fuzz against its embedded reference edge (origin records read in process): $REQUESTS requests"
"$bin" fuzz --distribution "$dist" --requests "$REQUESTS" --seed 1 --rate 10000000 --jobs "$JOBS" \
  -o "$work/reports-embedded" --found "$work/found" 2>&1 | grep -E 'requests in|^  [A-Z]' || true
python3 - "$work/reports-embedded/latest/fuzz.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rate = r["judged_per_second"]
print(f"fuzz (embedded edge): {r['requests']} requests judged in {r['duration_ms']} ms = {rate:,.0f} judged/s")
print("goal: 5,000 judged/s:", "met" if rate >= 5000 else "NOT met")
PY

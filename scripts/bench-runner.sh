#!/usr/bin/env bash
# The runner's throughput next to wrk's on the same reference edge, URL and connection count, as a
# ratio (goal: at least 0.8 of wrk's rate with keep-alive, every case judged and spooled;
# wrk and the runner alternate ROUNDS times and the median ratio is printed); the wall
# time of the standard suite; and peak memory of generated runs of 10k, 100k and 300k cases
# (MEM_SIZES), which should stay flat (goal: under 200 MiB at 100k).
# Loopback only; every load is bounded in count and time.
set -euo pipefail
cd "$(dirname "$0")/.."
CONNS=${CONNS:-64}
CASES=${CASES:-60000}
SECONDS_WRK=${SECONDS_WRK:-4}
ROUNDS=${ROUNDS:-3}
bin=target/release/edgeconform
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

if [[ -z ${SKIP_BUILD:-} ]]; then cargo build --release -q -p edgeconform; fi
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y --no-install-recommends wrk >/dev/null; else echo "bench-runner: wrk is missing (apt-get install wrk)" >&2; exit 2; fi
fi

# A reference edge on its own (HTTP 301s never reach an origin).
"$bin" edge --distribution specs/distributions/standard.yaml --origin assets=http://127.0.0.1:9 \
  --origin site=http://127.0.0.1:9 --origin api=http://127.0.0.1:9 --origin legacy=http://127.0.0.1:9 \
  >"$work/edge.json" 2>"$work/edge.err" &
for _ in $(seq 50); do grep -q '"http"' "$work/edge.json" 2>/dev/null && break; sleep 0.1; done
http=$(python3 -c "import json,sys
for l in open('$work/edge.json'):
    d=json.loads(l)
    if d.get('listener')=='http' or d.get('scheme')=='http' or d.get('name')=='http': print(d.get('addr')); break" )
if [ -z "$http" ]; then echo "bench-runner: could not read the edge's HTTP address:"; cat "$work/edge.json" "$work/edge.err"; exit 3; fi
host=d111111abcdef8.cloudfront.net
url="http://$http/images/a.jpg"

# The same request as $CASES runner cases (one path each, all 301 at the edge).
python3 - "$CASES" >"$work/bench.yaml" <<'PY'
import sys
n = int(sys.argv[1])
print("distribution: %s/specs/distributions/standard.yaml" % __import__("os").getcwd())
print("matrix:\n  id: bench\n  methods: [GET]\n  schemes: [http]\n  versions: ['1.1']\n  paths:")
for i in range(n):
    print(f"    - /images/a{i}.jpg")
PY
echo "== wrk (GET $url, Host $host) and the runner ($CASES cases, --jobs $CONNS), $CONNS connections, keep-alive"
ratios=()
for r in $(seq "$ROUNDS"); do
  wrk -t2 -c"$CONNS" -d"${SECONDS_WRK}s" -H "Host: $host" "$url" >"$work/wrk.txt"
  wrk_rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  rm -rf "$work/reports"
  "$bin" run "$work/bench.yaml" --target "http://$http" --target-https "https://$http" --insecure \
    --jobs "$CONNS" --reports "$work/reports" >"$work/run.txt" 2>&1 || true
  line=$(python3 - "$CASES" "$work/reports/latest/report.json" "$wrk_rps" "$r" <<'PY'
import json, sys
n, report, wrk, r = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4]
rep = json.load(open(report))
ms = rep["duration_ms"]
rate = n / (ms / 1000)
print(f"round {r}: wrk {wrk:,.0f} req/s; runner {n} cases in {ms} ms = {rate:,.0f} cases/s; ratio runner/wrk = {rate / wrk:.2f}")
PY
)
  echo "$line"
  ratios+=("${line##*= }")
done
tail -2 "$work/run.txt"
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "runner/wrk, $CONNS connections, median of $ROUNDS rounds: $median (goal ≥ 0.8)"

echo "== the standard suite (specs/), wall time after the build"
/usr/bin/time -f "wall %e s, peak RSS %M KiB" "$bin" run specs --reports "$work/std" 2>&1 | tail -3

for n in ${MEM_SIZES:-10000 100000 300000}; do
  python3 - "$n" >"$work/gen$n.yaml" <<'PY'
import sys, os
n = int(sys.argv[1]) // 28 + 1   # 7 methods x 2 schemes x 2 versions per path
print(f"distribution: {os.getcwd()}/specs/distributions/standard.yaml")
print("matrix:\n  id: gen\n  paths:")
for i in range(n):
    print(f"    - /public/p{i}")
PY
  echo "== generated run of ~$n cases: peak memory"
  /usr/bin/time -f "wall %e s, peak RSS %M KiB" "$bin" run "$work/gen$n.yaml" --reports "$work/gen$n" 2>&1 | tail -3
done

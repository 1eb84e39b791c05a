#!/usr/bin/env bash
# Peak memory of `edgeconform run` against a target that answers every request with an endless
# chunked body (harness/cli/examples/endless_body.rs): the runner keeps at most 1 MiB of each body
# and stops at the request timeout, so peak RSS must stay under the 100 MiB goal whatever the
# target sends. Loopback only; the endpoint exits on its own after ENDPOINT_SECONDS.
#
#   scripts/bench-hostile.sh            # JOBS=16 TIMEOUT=3 SPEC=specs/viewer-protocol-policy.yaml
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-16}
TIMEOUT=${TIMEOUT:-3}
SPEC=${SPEC:-specs/viewer-protocol-policy.yaml}
ENDPOINT_SECONDS=${ENDPOINT_SECONDS:-120}
GOAL_MIB=100
bin=target/release/edgeconform
work=$(mktemp -d)
endpoint_pid=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [[ -n $endpoint_pid ]]; then kill "$endpoint_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [[ ! -x /usr/bin/time ]]; then
  if [[ $(id -u) == 0 ]]; then
    apt-get install -y --no-install-recommends time >/dev/null
  else
    echo "bench-hostile: GNU time is missing (apt-get install time)" >&2; exit 2
  fi
fi
cargo build --release -q -p edgeconform --bin edgeconform --example endless_body

target/release/examples/endless_body "$ENDPOINT_SECONDS" >"$work/endpoint.txt" &
endpoint_pid=$!
for _ in $(seq 50); do [[ -s $work/endpoint.txt ]] && break; sleep 0.1; done
addr=$(head -1 "$work/endpoint.txt")
[[ -n $addr ]] || { echo "bench-hostile: the endless-body endpoint did not start" >&2; exit 3; }

echo "== edgeconform run $SPEC against an endless body at $addr (--jobs $JOBS, --timeout $TIMEOUT)"
set +e
/usr/bin/time -v "$bin" run "$SPEC" --target "http://$addr" --target-https "https://$addr" --insecure \
  --jobs "$JOBS" --timeout "$TIMEOUT" --reports "$work/reports" >"$work/run.txt" 2>"$work/time.txt"
code=$?
set -e
grep -E ' passed, ' "$work/run.txt" || true
kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
wall=$(awk -F'): ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
[[ -n $kib ]] || { cat "$work/time.txt" >&2; echo "bench-hostile: no RSS figure" >&2; exit 3; }
python3 - "$kib" "$GOAL_MIB" "$wall" "$code" "$work/reports/latest/report.json" <<'PY'
import json, sys
kib, goal, wall, code, report = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
cases = json.load(open(report))["cases"]
reasons = sorted({c.get("error") or c["verdict"] for c in cases})
mib = kib / 1024
print(f"{len(cases)} cases in {wall} (exit {code}); reasons: {reasons[:3]}")
print(f"peak RSS {mib:.1f} MiB (goal: under {goal} MiB): {'ok' if mib < goal else 'OVER'}")
sys.exit(0 if mib < goal else 1)
PY

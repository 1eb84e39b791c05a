#!/usr/bin/env bash
# Hand check of recipes while `edgeconform run` is not there: starts the instrumented origin and a
# test certificate, then for each recipe named: start, the key cases of standard.yaml (a Markdown
# table: the model's answer next to the observed one), stop, and a check that the ports are closed.
#
#   targets/smoke.sh nginx haproxy ...      # all recipes: targets/smoke.sh all
#   SMOKE_FILTER=img targets/smoke.sh nginx # only cases whose id contains "img"
#   EDGECONFORM=path/to/edgeconform         # default: target/release, then target/debug
#   SMOKE_SAVE=targets/observed             # also write each table to DIR/<recipe>.md
#   SMOKE_HOLD=60 SMOKE_KEEP=1              # keep each recipe up 60 s after its cases; keep the files
#
# Needs: the edgeconform binary (origin + decide), openssl, python3, bash. Loopback only.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
dist=$root/specs/distributions/standard.yaml

exe=${EDGECONFORM:-}
if [[ -z $exe ]]; then
    for c in "$root/target/release/edgeconform" "$root/target/debug/edgeconform"; do
        [[ -x $c ]] && { exe=$c; break; }
    done
fi
[[ -n $exe && -x $exe ]] || { echo "smoke: no edgeconform binary (cargo build -p edgeconform, or set EDGECONFORM)" >&2; exit 2; }
command -v openssl >/dev/null || { echo "smoke: openssl is needed" >&2; exit 2; }
command -v python3 >/dev/null || { echo "smoke: python3 is needed" >&2; exit 2; }

recipes=("$@")
if [[ ${#recipes[@]} == 0 || ${recipes[0]} == all ]]; then
    recipes=()
    for d in "$here"/*/; do [[ -x $d/start ]] && recipes+=("$(basename "$d")"); done
fi

work=$(mktemp -d /tmp/edgeconform-smoke.XXXXXX)
origin_pid=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    if [[ -n $origin_pid ]]; then kill "$origin_pid" 2>/dev/null || true; fi
    if [[ -z ${SMOKE_KEEP:-} ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# Every origin gets both schemes, so a recipe that uses the wrong one is seen doing it.
listen=()
for o in assets site api secure; do listen+=(--listen "$o=http" --listen "$o=https"); done
listen+=(--listen legacy=http:8080 --listen legacy=https)
"$exe" origin "${listen[@]}" --ca-dir "$work/ca" >"$work/origin.jsonl" 2>"$work/origin.err" &
origin_pid=$!
for _ in $(seq 100); do grep -q '"event":"control"' "$work/origin.jsonl" 2>/dev/null && break; sleep 0.1; done
grep -q '"event":"control"' "$work/origin.jsonl" || { cat "$work/origin.err" >&2; echo "smoke: origin did not start" >&2; exit 3; }

while IFS= read -r line; do
    name=$(sed -n 's/.*"name":"\([a-z0-9]*\)".*/\1/p' <<<"$line")
    tls=$(sed -n 's/.*"tls":\(true\|false\).*/\1/p' <<<"$line")
    addr=$(sed -n 's/.*"addr":"\([0-9.:]*\)".*/\1/p' <<<"$line")
    var=ORIGIN_${name^^}_HTTP; [[ $tls == true ]] && var+=S
    export "$var=$addr"
done < <(grep '"event":"listener"' "$work/origin.jsonl")
control=$(sed -n 's/.*"event":"control","addr":"\([0-9.:]*\)".*/\1/p' "$work/origin.jsonl")

# The edge certificate: the distribution's domain and alias, issued by the origin's test CA.
ca=$work/ca/ca.pem
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=d111111abcdef8.cloudfront.net \
    -keyout "$work/edge.key" -out "$work/edge.csr" 2>/dev/null
printf 'subjectAltName=DNS:d111111abcdef8.cloudfront.net,DNS:www.example.com\nextendedKeyUsage=serverAuth\n' >"$work/ext"
openssl x509 -req -in "$work/edge.csr" -CA "$ca" -CAkey "$work/ca/ca.key.pem" -CAcreateserial -days 2 \
    -extfile "$work/ext" -out "$work/edge.pem" 2>/dev/null
export EDGE_CERT=$work/edge.pem EDGE_KEY=$work/edge.key EDGE_CA=$ca

# The edge's ports, picked below the kernel's ephemeral range as a recipe's internal ports are
# (a port in that range can be an outgoing connection's, which no listener shows).
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
free_port() { ec_free_port; }

status=0
for r in "${recipes[@]}"; do
    [[ -x $here/$r/start ]] || { echo "smoke: no recipe $r" >&2; status=2; continue; }
    EDGE_HTTP_PORT=$(free_port)
    EDGE_HTTPS_PORT=$(free_port)
    export EDGE_HTTP_PORT EDGE_HTTPS_PORT WORKDIR=$work/$r
    mkdir -p "$WORKDIR"
    # As `edgeconform run --recipe` does: the certificate files live in WORKDIR (edge.pem, edge.key,
    # ca.pem), so a recipe must not write over those names.
    cp "$work/edge.pem" "$WORKDIR/edge.pem"; cp "$work/edge.key" "$WORKDIR/edge.key"; cp "$ca" "$WORKDIR/ca.pem"
    export EDGE_CERT=$WORKDIR/edge.pem EDGE_KEY=$WORKDIR/edge.key EDGE_CA=$WORKDIR/ca.pem
    # Correlation ids repeat from recipe to recipe: start each with no records.
    python3 -c 'import sys, urllib.request as u; u.urlopen(u.Request(sys.argv[1], method="DELETE"), timeout=5)' \
        "http://$control/records"
    echo "## $r (http 127.0.0.1:$EDGE_HTTP_PORT, https 127.0.0.1:$EDGE_HTTPS_PORT)"
    t0=$EPOCHREALTIME
    if ! "$here/$r/start"; then
        echo "smoke: $r did not start; logs:" >&2; tail -n 20 "$WORKDIR"/*.log >&2 || true
        "$here/$r/stop" || true; status=1; continue
    fi
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "started in %.1f s\n", b - a }' 
    echo
    out=/dev/null
    if [[ -n ${SMOKE_SAVE:-} ]]; then
        mkdir -p "$SMOKE_SAVE"; out=$SMOKE_SAVE/$r.md
        # shellcheck disable=SC2016  # the backquotes are Markdown
        printf '# %s: observed by targets/smoke.sh\n\nSoftware: %s. Regenerate: `SMOKE_SAVE=targets/observed targets/smoke.sh %s`.\n\n' \
            "$r" "$("$here/lib/version.sh" "$r")" "$r" >"$out"
    fi
    python3 "$here/lib/smoke_cases.py" "$exe" "$dist" "$EDGE_HTTP_PORT" "$EDGE_HTTPS_PORT" "$control" "$ca" "${SMOKE_FILTER:-}" |
        tee -a "$out" || status=1
    if [[ -n ${SMOKE_HOLD:-} ]]; then
        echo "holding $SMOKE_HOLD s for manual requests (control endpoint $control)"; sleep "$SMOKE_HOLD"
    fi
    "$here/$r/stop"
    for p in "$EDGE_HTTP_PORT" "$EDGE_HTTPS_PORT"; do
        if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "smoke: $r: port $p still open after stop" >&2; status=1; fi
    done
    echo "stopped"
    echo
done
exit $status

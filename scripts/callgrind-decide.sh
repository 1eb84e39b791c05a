#!/usr/bin/env bash
# Instructions per decide() call, counted by callgrind (deterministic, unlike wall-clock time on a
# shared box): the worst case (75 behaviors, fall-through to the default behavior, HTTP → 301) and
# the other benchmark cases. Needs valgrind; installs nothing.
#
#   scripts/callgrind-decide.sh            # all cases
#   N=5000 scripts/callgrind-decide.sh     # more calls per case (the figure does not change)
#   ANNOTATE=1 scripts/callgrind-decide.sh # also the top functions of the worst case (self cost)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-2000}
if ! command -v valgrind >/dev/null; then
  echo "callgrind-decide: valgrind is missing" >&2
  exit 2
fi
cargo build --release -q -p edgeconform-core --example decide_icount
bin=target/release/examples/decide_icount
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for cfg in "75 http-301" "10 http-301" "75 https-forward" "10 https-forward" \
  "75 middle-normalised" "10 middle-normalised"; do
  set -- $cfg
  valgrind --tool=callgrind --toggle-collect='decide_icount::probe' \
    --callgrind-out-file="$out/$1-$2.out" "$bin" "$N" "$1" "$2" >/dev/null 2>"$out/$1-$2.log"
  total=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/$1-$2.log")
  [ -n "$total" ] || { echo "callgrind-decide: no count for $cfg" >&2; cat "$out/$1-$2.log" >&2; exit 3; }
  printf 'decide %2s behaviors %-18s %7d instructions per decision\n' "$1" "$2" $((total / N))
done
if [ -n "${ANNOTATE:-}" ]; then
  callgrind_annotate "$out/75-http-301.out" 2>/dev/null | sed -n '/file:function/,/^$/p' | head -25
fi

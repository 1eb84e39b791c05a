#!/usr/bin/env bash
# make fuzz-live: `edgeconform fuzz` for FUZZ_SECONDS (default 60) against the embedded reference
# edge and then every recipe in targets/ whose software installs here (its own `start` installs
# it, as `make matrix` does). The reference edge must yield nothing; a recipe passes when every
# group it yields is in its baseline (targets/NAME/expected.yaml). Reports go to
# reports/fuzz-live/<target>/, the scenarios of the groups to FOUND (default
# reports/fuzz-live/found: copy a real deviation's file to specs/found/ to keep it as a case).
#
#   FUZZ_SECONDS=60 SEED=... RECIPES="nginx haproxy" scripts/fuzz-live.sh
#
# Exit 0 when the reference edge yields nothing and every recipe that ran stays in its baseline;
# 1 otherwise. A recipe that cannot start here is listed as skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-target/release/edgeconform}
secs=${FUZZ_SECONDS:-60}
out=${OUT:-reports/fuzz-live}
found=${FOUND:-$out/found}
seed_args=()
[ -n "${SEED:-}" ] && seed_args=(--seed "$SEED")
recipes=${RECIPES:-$(for d in targets/*/; do [ -x "$d/start" ] && basename "$d"; done)}
rm -rf "${out:?}/runs"
mkdir -p "$out/runs"

"$bin" fuzz --duration "${secs}s" "${seed_args[@]}" -o "$out/runs/reference" --found "$found" \
  >"$out/runs/reference.log" 2>&1
status=$?
echo "fuzz-live: reference: exit $status: $(grep -E 'requests in' "$out/runs/reference.log")"
bad=()
[ "$status" -eq 0 ] || { echo "fuzz-live: the reference edge must yield nothing (see $out/runs/reference.log)" >&2; bad+=(reference); }
skipped=()
for r in $recipes; do
  "$bin" fuzz --recipe "$r" --duration "${secs}s" "${seed_args[@]}" -o "$out/runs/$r" --found "$found" \
    >"$out/runs/$r.log" 2>&1
  status=$?
  line=$(grep -E 'requests in' "$out/runs/$r.log")
  case $status in
    0) echo "fuzz-live: $r: within its baseline: $line"; grep -E '^  [A-Z]' "$out/runs/$r.log" | sed 's/^/    /' ;;
    1) echo "fuzz-live: $r: NEW deviations: $line"; grep -E '^  [A-Z]' "$out/runs/$r.log" | sed 's/^/    /'; bad+=("$r") ;;
    *) echo "fuzz-live: $r: could not run (exit $status); see $out/runs/$r.log"; tail -n 3 "$out/runs/$r.log" | sed 's/^/    /'; skipped+=("$r") ;;
  esac
done
echo "fuzz-live: reports under $out/runs/, scenarios under $found/ (skipped: ${skipped[*]:-none})"
[ ${#bad[@]} -eq 0 ] || { echo "fuzz-live: findings outside the baselines: ${bad[*]}" >&2; exit 1; }

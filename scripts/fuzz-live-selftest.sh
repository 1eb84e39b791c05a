#!/usr/bin/env bash
# make fuzz-live-selftest: fuzzing alone (no suite) against every mutant of the reference edge, for
# at most FUZZ_SECONDS (default 60) each, stopping as soon as every rule the mutant declares has a
# group. Prints one row per mutant: the declared rules, which of them were found, how long the
# first took, the shrunk request, and the other groups the judge named (a rule whose breach gives
# the same answer). Exit 1 when a mutant that a single request can show was not caught.
#
# Mutants whose bug only shows in the access log, in a cache or with a failing origin cannot be
# shown by one generated request: they are listed as `needs ...`, not counted as misses.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-target/release/edgeconform}
secs=${FUZZ_SECONDS:-60}
seed=${SEED:-1}
out=${OUT:-reports/fuzz-live-selftest}
rm -rf "$out"; mkdir -p "$out"
# Bugs one request cannot show: the log (LOG-*, BIL-LOG-*), the cache, an origin made to fail.
declare -A needs=(
  [redirect-logged-as-miss]="the access log" [redirect-not-logged]="the access log"
  [timeout-as-502]="a failing origin" [cache-before-policy]="a cache filled first"
  [caches-unsafe-methods]="a repeated request and a cache"
)
printf '%-28s %-44s %-8s %9s %9s  %s\n' MUTANT DECLARED FOUND TIME REQUESTS "SHRUNK REQUEST (other groups)"
missed=0
for m in $("$bin" mutants | awk 'NR>1 {print $1}'); do
  rules=$("$bin" mutants | awk -v m="$m" '$1==m {for(i=2;i<=NF;i++){ if ($i ~ /^[A-Z0-9]+-[A-Z0-9-]+,?$/) { gsub(",","",$i); printf "%s ", $i } else break}}')
  until_args=()
  for r in $rules; do until_args+=(--until "$r"); done
  d="$out/$m"
  if [ -n "${needs[$m]:-}" ]; then
    printf '%-28s %-44s %-8s %9s %9s  %s\n' "$m" "$rules" "n/a" - - "needs ${needs[$m]}: not run"
    continue
  fi
  "$bin" fuzz --mutant "$m" --seed "$seed" --duration "${secs}s" "${until_args[@]}" \
    -o "$d/reports" --found "$d/found" >"$d.log" 2>&1
  python3 - "$d/reports/latest/fuzz.json" "$m" "$rules" "${needs[$m]:-}" <<'PY' || missed=$((missed+1))
import json, sys
path, m, declared, needs = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4]
try:
    r = json.load(open(path))
except Exception as e:
    print(f"{m:<28} (no report: {e})"); sys.exit(1)
groups = r["groups"]
# A group counts for a declared rule it names, or one among its alternatives (the rules whose
# breach gives the same answer), as `edgeconform selftest` counts the suite's findings.
found = [g for g in groups if g["rule"] in declared or set(g.get("alternatives", [])) & set(declared)]
hit = sorted({r for g in found for r in [g["rule"], *g.get("alternatives", [])] if r in declared})
others = sorted({g["rule"] for g in groups if g not in found})
first = min((g["found_after_ms"] for g in found), default=None)
shrunk = found[0]["shrunk"]["line"] if found else "-"
if len(shrunk) > 90: shrunk = shrunk[:89] + "…"
extra = f" (also {', '.join(others)})" if others else ""
when = f"{first/1000:.2f}s" if first is not None else "-"
status = f"{len(hit)}/{len(declared)}"
if not hit and needs:
    status, shrunk = "n/a", f"needs {needs}"
print(f"{m:<28} {' '.join(declared):<44} {status:<8} {when:>9} {r['requests']:>9}  {shrunk}{extra}")
sys.exit(0 if hit or needs else 1)
PY
done
echo "mutants a request can show that fuzzing did not catch within ${secs}s: $missed"
[ "$missed" -eq 0 ]

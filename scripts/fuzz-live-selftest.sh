#!/usr/bin/env bash
# make fuzz-live-selftest: fuzzing alone (no suite) against every mutant of the reference edge, for
# at most FUZZ_SECONDS (default 60) each, stopping as soon as every rule the mutant declares has a
# group. Prints one row per mutant: the declared rules, which of them were found, how long the
# first took, the shrunk request, and the other groups the judge named (a rule whose breach gives
# the same answer). Exit 1 when a mutant that a single request can show was not caught.
#
# Mutants whose bug only shows in the access log, in a cache or with a failing origin cannot be
# shown by one generated request: they are listed as `needs ...`, not counted as misses.
#
# Length, SHRUNK vs SUITE: the issue asks that the shrunk request be no longer than the one the
# hand-written suite uses for the rule. For each mutant the suite (`edgeconform run specs
# --mutant M`) runs too, and its shortest request among the failing hand-written cases (not the
# generated matrix-*.yaml rows) whose failing findings name a declared rule is compared with the
# shortest shrunk request of a group found for one. A request's length is, for both alike, the
# bytes of `METHOD target HTTP/v` CRLF, `Host: h` CRLF (when it has one) and each extra field
# `Name: value` CRLF; not counted: the correlation id, Content-Length and the body, which the
# harness adds to every request alike. VERDICT: ok when shrunk <= suite, LONGER otherwise (a miss
# in the shrinker: exit 1 too).
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
printf '%-28s %-44s %-8s %9s %9s %6s %6s %-7s  %s\n' MUTANT DECLARED FOUND TIME REQUESTS SHRUNK SUITE VERDICT "SHRUNK REQUEST (other groups)"
missed=0
for m in $("$bin" mutants | awk 'NR>1 {print $1}'); do
  rules=$("$bin" mutants | awk -v m="$m" '$1==m {for(i=2;i<=NF;i++){ if ($i ~ /^[A-Z0-9]+-[A-Z0-9-]+,?$/) { gsub(",","",$i); printf "%s ", $i } else break}}')
  until_args=()
  for r in $rules; do until_args+=(--until "$r"); done
  d="$out/$m"
  if [ -n "${needs[$m]:-}" ]; then
    printf '%-28s %-44s %-8s %9s %9s %6s %6s %-7s  %s\n' "$m" "$rules" "n/a" - - - - - "needs ${needs[$m]}: not run"
    continue
  fi
  "$bin" fuzz --mutant "$m" --seed "$seed" --duration "${secs}s" "${until_args[@]}" \
    -o "$d/reports" --found "$d/found" >"$d.log" 2>&1
  # The hand-written suite against the same mutant, for the length it needs (exit 1 expected).
  "$bin" run specs --mutant "$m" --reports "$d/suite" >"$d.suite.log" 2>&1
  python3 - "$d/reports/latest/fuzz.json" "$m" "$rules" "${needs[$m]:-}" "$d/suite/latest/report.json" <<'PY' || missed=$((missed+1))
import json, os, sys
path, m, declared, needs, suite_path = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4], sys.argv[5]

def length(method, url, version, headers):
    """Bytes of the request line, the Host field and the extra fields (see the header). `url` is
    `scheme://` + Host + target in both reports, so Host and target together are what follows
    `://`, wherever one ends; no Host is `(no Host)` in fuzz.json and nothing in report.json."""
    rest = url.split("://", 1)[1]
    host_line = len("Host: \r\n")
    if rest.startswith("(no Host)") or rest.startswith("/"):
        rest, host_line = rest.removeprefix("(no Host)"), 0
    n = len(f"{method}  HTTP/{version}\r\n".encode()) + len(rest.encode()) + host_line
    return n + sum(len(f"{k}: {v}\r\n".encode()) for k, v in headers or [])

def suite_length():
    """The shortest request of a failing hand-written case that names a declared rule."""
    try:
        run = json.load(open(suite_path))
    except Exception:
        return None
    best = None
    for c in run["cases"]:
        if c["verdict"] != "fail" or os.path.basename(c.get("file", "")).startswith("matrix-"):
            continue
        named = {r for f in c.get("findings", []) if not f.get("info") and not f.get("not_observed")
                 for r in f["rules"]}
        if not named & set(declared):
            continue
        for q in c["requests"]:
            if q.get("prime"):
                continue
            n = length(q["method"], q["url"], q["http_version"], q.get("headers"))
            best = n if best is None else min(best, n)
    return best

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
sized = sorted(((length(g["shrunk"]["method"], g["shrunk"]["url"], g["shrunk"]["version"],
                        g["shrunk"].get("headers")), g) for g in found), key=lambda t: t[0])
shrunk = sized[0][1]["shrunk"]["line"] if sized else "-"
if len(shrunk) > 90: shrunk = shrunk[:89] + "…"
extra = f" (also {', '.join(others)})" if others else ""
when = f"{first/1000:.2f}s" if first is not None else "-"
status = f"{len(hit)}/{len(declared)}"
if not hit and needs:
    status, shrunk = "n/a", f"needs {needs}"
mine, suite = (sized[0][0] if sized else None), suite_length()
if mine is None or suite is None:
    verdict = "-"
else:
    verdict = "ok" if mine <= suite else "LONGER"
dash = lambda n: "-" if n is None else n
print(f"{m:<28} {' '.join(declared):<44} {status:<8} {when:>9} {r['requests']:>9} {dash(mine):>6} {dash(suite):>6} {verdict:<7}  {shrunk}{extra}")
sys.exit(0 if (hit or needs) and verdict != "LONGER" else 1)
PY
done
echo "mutants a request can show that fuzzing did not catch within ${secs}s, or caught with a shrunk request longer than the suite's: $missed"
[ "$missed" -eq 0 ]

#!/usr/bin/env bash
# make matrix: the suite against the reference edge and every third-party recipe whose software
# installs here, then reports/matrix/index.html and summary.md (rules × targets, expected
# deviations from each recipe's targets/NAME/expected.yaml), checked in headless Chromium.
#
# Every recipe also runs viewer-only (--viewer-only: its origin is not read) and must match its
# baseline that way too: the same viewer-side verdicts, the origin side not observed.
#
# Exit 0 when every recipe that ran matches its baseline exactly; 1 when one deviates (a new
# violation, or a listed one that no case shows any more).
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-target/release/edgeconform}
out=${MATRIX_DIR:-reports/matrix}
recipes=${RECIPES:-$(for d in targets/*/; do [ -x "$d/start" ] && basename "$d"; done)}
rm -rf "$out"
mkdir -p "$out/runs"

"$bin" run specs --name reference --reports "$out/runs/reference" >"$out/runs/reference.log" 2>&1
status=$?
echo "matrix: reference: exit $status ($(tail -n 3 "$out/runs/reference.log" | grep -E 'passed, .* failed' || true))"
[ "$status" -eq 0 ] || { echo "matrix: the reference edge must pass every case" >&2; exit 1; }
reports=("$out/runs/reference/latest/report.json")
deviating=()
skipped=()
for r in $recipes; do
    start=$(date +%s)
    "$bin" run specs --recipe "$r" --reports "$out/runs/$r" >"$out/runs/$r.log" 2>&1
    status=$?
    took=$(( $(date +%s) - start ))
    case $status in
        0) echo "matrix: $r: matches its baseline (${took}s)" ;;
        1) echo "matrix: $r: DEVIATES from targets/$r/expected.yaml (${took}s):"; grep -E "expected.yaml" "$out/runs/$r.log" | sed 's/^/    /'; deviating+=("$r") ;;
        *) echo "matrix: $r: could not run (exit $status, ${took}s); see $out/runs/$r.log"; tail -n 5 "$out/runs/$r.log" | sed 's/^/    /'; skipped+=("$r"); continue ;;
    esac
    reports+=("$out/runs/$r/latest/report.json")
    # The same recipe judged from the viewer's side only (its origin runs but is not read): the
    # viewer-side verdicts must be the same, so the baseline must still hold, with the origin-side
    # rules not observed rather than passed.
    "$bin" run specs --recipe "$r" --viewer-only --reports "$out/viewer-only/$r" >"$out/runs/$r.viewer-only.log" 2>&1
    vstatus=$?
    if [ "$vstatus" -eq 0 ]; then
        echo "matrix: $r viewer-only: matches its baseline ($(grep -E 'passed, ' "$out/runs/$r.viewer-only.log" | tail -n 1))"
    else
        echo "matrix: $r viewer-only: DEVIATES (exit $vstatus):"; grep -E "expected.yaml" "$out/runs/$r.viewer-only.log" | sed 's/^/    /'
        deviating+=("$r (viewer-only)")
    fi
done
"$bin" report "${reports[@]}" -o "$out/index.html" --markdown "$out/summary.md" --targets targets || exit 1
echo "matrix: $out/index.html, $out/summary.md (${#reports[@]} targets; skipped: ${skipped[*]:-none})"

# The page loads with no network and shows every target column and the failing cells.
names=(reference)
for r in $recipes; do
    [[ " ${skipped[*]:-} " == *" $r "* ]] || names+=("$r")
done
scripts/check-html.sh "$out/index.html" "${names[@]}" "!http-equiv=\"refresh\""
html=$?
if [ "$html" -eq 77 ]; then echo "matrix: page check skipped (no chromium)"; elif [ "$html" -ne 0 ]; then echo "matrix: the page check failed" >&2; exit 1; fi
[ ${#deviating[@]} -eq 0 ] || { echo "matrix: recipes deviating from their baseline: ${deviating[*]}" >&2; exit 1; }

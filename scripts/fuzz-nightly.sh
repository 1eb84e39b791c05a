#!/usr/bin/env bash
# `make fuzz-nightly`: long runs of every fuzz target (or FUZZ_TARGETS), FUZZ_SECONDS each
# (default 3600), one after another; then per target the corpus is minimised in place
# (`cargo fuzz cmin`) and every new crash is minimised (`cargo fuzz tmin`, written next to it in
# fuzz/artifacts/<target>/ as minimized-<input>). A summary of exec/s, coverage and crashes per
# target goes to stdout and to fuzz/logs/nightly-summary.txt. Exits 1 when any target crashed.
#
#   FUZZ_SECONDS=600 FUZZ_TARGETS=decide scripts/fuzz-nightly.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-3600}
# shellcheck source=scripts/fuzz.sh
. scripts/fuzz.sh

# minimise_crashes TARGET: `cargo fuzz tmin` on every crash, timeout and oom input not minimised
# yet; the result is kept as minimized-<input name> (tmin's intermediate steps are dropped).
# Prints how many it minimised.
minimise_crashes() {
  local t=$1 f n=0
  for f in "fuzz/artifacts/$t"/crash-* "fuzz/artifacts/$t"/timeout-* "fuzz/artifacts/$t"/oom-*; do
    [ -f "$f" ] || continue
    local min log existing final g
    min="fuzz/artifacts/$t/minimized-$(basename "$f")"
    [ -f "$min" ] && continue
    log="fuzz/logs/$t.tmin-$(basename "$f").log"
    existing=$(ls "fuzz/artifacts/$t")
    cargo +nightly fuzz tmin "${FLAGS[@]}" "$t" "$f" -r 2000 >"$log" 2>&1 || true
    final=$(grep -A2 '^Minimized artifact:' "$log" | tail -1 | tr -d '[:space:]')
    if [ -n "$final" ] && [ -f "$final" ]; then
      cp "$final" "$min"
      n=$((n + 1))
    fi
    for g in "fuzz/artifacts/$t"/minimized-from-*; do
      if [ -f "$g" ] && ! grep -qxF "$(basename "$g")" <<<"$existing"; then
        rm -f "$g"
      fi
    done
  done
  echo "$n"
}

nightly() {
  ensure_tools
  local start=$SECONDS failed=() rows=()
  for t in $TARGETS; do
    cargo +nightly fuzz build "${FLAGS[@]}" "$t"
  done
  for t in $TARGETS; do
    echo "fuzz-nightly: $t for ${FUZZ_SECONDS}s" >&2
    local before result=ok
    before=$(count_crashes "$t")
    if ! run_target "$t" "$FUZZ_SECONDS"; then
      result=CRASH
      failed+=("$t")
    fi
    local after
    after=$(count_crashes "$t")
    cargo +nightly fuzz cmin "${FLAGS[@]}" "$t" "fuzz/corpus/$t" >"fuzz/logs/$t.cmin.log" 2>&1 || echo "fuzz-nightly: cmin of $t failed (fuzz/logs/$t.cmin.log)" >&2
    local kept minimised
    kept=$(find "fuzz/corpus/$t" -type f | wc -l)
    minimised=$(minimise_crashes "$t")
    local execs cov ft corp
    read -r execs cov ft corp <<<"$(stats "$t")"
    rows+=("$(printf '%-18s %-6s %10s %7s %8s %8s %7s %8s' "$t" "$result" "$execs" "$cov" "$ft" "$corp" "$kept" "$((after - before))/$minimised")")
  done
  {
    echo "fuzz-nightly $(date -u +%Y-%m-%dT%H:%MZ), ${FUZZ_SECONDS}s per target, flags: ${FUZZ_FLAGS:-default, ASan}"
    printf '%-18s %-6s %10s %7s %8s %8s %7s %8s\n' target result exec/s cov features corpus cmin crashes
    printf '%s\n' "${rows[@]}"
    echo "(corpus: inputs in libFuzzer's corpus when fuzzing ended; cmin: files left in fuzz/corpus/<target>/"
    echo " after minimising; crashes: new crash/timeout/oom inputs / inputs minimised this run)"
    echo "done in $((SECONDS - start)) s"
  } | tee fuzz/logs/nightly-summary.txt
  if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz-nightly: crashes in: ${failed[*]}; minimised inputs in fuzz/artifacts/<target>/minimized-*" >&2
    exit 1
  fi
}

nightly "$@"

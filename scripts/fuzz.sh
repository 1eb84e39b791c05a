#!/usr/bin/env bash
# `make fuzz`: every fuzz target (or FUZZ_TARGETS) for FUZZ_SECONDS (default 30) each, one after
# another, on the nightly toolchain; cargo-fuzz is installed when missing. Prints a table of
# exec/s and coverage per target and exits 1 when any target crashed (the input is under
# fuzz/artifacts/<target>/; `edgeconform promote` turns a decide/location/pattern one into a
# scenario).
#
#   FUZZ_SECONDS=5 FUZZ_TARGETS="decide location" scripts/fuzz.sh
#   FUZZ_FLAGS="-O -s none" scripts/fuzz.sh      # no sanitizer: ~5-7x the executions
#
# Corpora: fuzz/corpus/<target>/ (grows; `make fuzz-seeds` fills it from specs/) and the committed
# fuzz/seeds/<target>/ (read only). Each run's libFuzzer output is kept in fuzz/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL_TARGETS="decide location pattern normalize access_log log_lines distribution_yaml spec_yaml import"
SECONDS_EACH=${FUZZ_SECONDS:-30}
TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}
read -r -a FLAGS <<< "${FUZZ_FLAGS:-}"
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}

ensure_tools() {
  if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: installing the nightly toolchain (cargo-fuzz needs -Z flags)" >&2
    rustup toolchain install nightly --profile minimal
  fi
  if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
  fi
}

# run TARGET SECONDS [extra libFuzzer flags...]: fuzz one target; its output goes to
# fuzz/logs/TARGET.log; returns libFuzzer's status.
run_target() {
  local t=$1 secs=$2
  shift 2
  local corpora=("fuzz/corpus/$t")
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t" fuzz/logs
  [ -d "fuzz/seeds/$t" ] && corpora+=("fuzz/seeds/$t")
  local dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=("-dict=fuzz/dict/$t.dict")
  cargo +nightly fuzz run "${FLAGS[@]}" "$t" "${corpora[@]}" -- \
    -max_total_time="$secs" -timeout=10 -print_final_stats=1 "${dict[@]}" "$@" \
    >"fuzz/logs/$t.log" 2>&1
}

# count_crashes TARGET: inputs libFuzzer saved as crashing, timing out or running out of memory.
count_crashes() {
  local n=0 f
  for f in "fuzz/artifacts/$1"/crash-* "fuzz/artifacts/$1"/timeout-* "fuzz/artifacts/$1"/oom-*; do
    [ -f "$f" ] && n=$((n + 1))
  done
  echo "$n"
}

# stats TARGET: "exec/s cov ft corpus" from libFuzzer's final lines in fuzz/logs/TARGET.log.
stats() {
  local log="fuzz/logs/$1.log" execs cov ft corp
  execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  echo "${execs:--} ${cov:--} ${ft:--} ${corp:--}"
}

main() {
  ensure_tools
  for t in $TARGETS; do
    case " $ALL_TARGETS " in *" $t "*) ;; *) echo "fuzz: unknown target $t; expected one of: $ALL_TARGETS" >&2; exit 2 ;; esac
  done
  local start=$SECONDS
  # Build first, so a compile error stops the run before any fuzzing and build time is not
  # mistaken for fuzzing time; the targets share the core and its dependencies.
  for t in $TARGETS; do
    cargo +nightly fuzz build "${FLAGS[@]}" "$t"
  done
  local failed=() rows=()
  for t in $TARGETS; do
    echo "fuzz: $t for ${SECONDS_EACH}s" >&2
    local result=ok
    if ! run_target "$t" "$SECONDS_EACH"; then
      result=CRASH
      failed+=("$t")
      grep -E 'panicked at|^thread|SUMMARY|Test unit written to|Finding|breaks' "fuzz/logs/$t.log" | head -8 >&2 || true
    fi
    local execs cov ft corp
    read -r execs cov ft corp <<<"$(stats "$t")"
    rows+=("$(printf '%-18s %-6s %10s %7s %8s %8s' "$t" "$result" "$execs" "$cov" "$ft" "$corp")")
  done
  printf '%-18s %-6s %10s %7s %8s %8s\n' target result exec/s cov features corpus
  printf '%s\n' "${rows[@]}"
  echo "fuzz: done in $((SECONDS - start)) s (flags: ${FUZZ_FLAGS:-default, ASan})"
  if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: crashes in: ${failed[*]} (inputs in fuzz/artifacts/<target>/, logs in fuzz/logs/)" >&2
    exit 1
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi

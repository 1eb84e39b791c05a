#!/usr/bin/env bash
# make conformance: run the scenario suites against
#   - the embedded reference edge and origin (no TARGET);
#   - an external target (TARGET=http://HOST:PORT TARGET_HTTPS=https://HOST:PORT), with the origin
#     either started by the run (its ports are printed; fine for targets that read them at start)
#     or a standalone `edgeconform origin` the target was configured with (ORIGIN_CONTROL=ADDR);
#     CA=FILE trusts the target's certificate authority, INSECURE=1 skips verification;
#   - a third-party recipe (TARGET=recipe:NAME, see targets/README.md).
set -euo pipefail
bin=$1 specs=$2 target=${3:-} target_https=${4:-}
extra=()
[ -n "${ORIGIN_CONTROL:-}" ] && extra+=(--origin-control "$ORIGIN_CONTROL")
[ -n "${CA:-}" ] && extra+=(--ca "$CA")
[ "${INSECURE:-0}" = 1 ] && extra+=(--insecure)
case "$target" in
  "")
    exec "$bin" run "$specs" ;;
  recipe:*)
    exec "$bin" run "$specs" --recipe "${target#recipe:}" ;;
  *)
    if [ -z "$target_https" ]; then
      echo "make conformance: TARGET=$target needs TARGET_HTTPS=https://HOST:PORT as well" >&2
      exit 2
    fi
    exec "$bin" run "$specs" --target "$target" --target-https "$target_https" "${extra[@]}" ;;
esac

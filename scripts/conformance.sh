#!/usr/bin/env bash
# make conformance: run the scenario suites against the embedded reference edge (no TARGET), an
# external target (TARGET=http://HOST:PORT TARGET_HTTPS=https://HOST:PORT), or a third-party recipe
# (TARGET=recipe:NAME, see targets/README.md).
set -euo pipefail
bin=$1 specs=$2 target=${3:-} target_https=${4:-}
shift 4 || true
case "$target" in
  "")
    exec "$bin" run "$specs" "$@" ;;
  recipe:*)
    exec "$bin" run "$specs" --recipe "${target#recipe:}" "$@" ;;
  *)
    if [ -z "$target_https" ]; then
      echo "make conformance: TARGET=$target needs TARGET_HTTPS=https://HOST:PORT as well" >&2
      exit 2
    fi
    exec "$bin" run "$specs" --target "$target" --target-https "$target_https" --insecure "$@" ;;
esac

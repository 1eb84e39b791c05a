#!/usr/bin/env bash
# make conformance: run the scenario suite against the embedded reference edge (no TARGET) or the
# given target. Until the runner lands (issue 4) this checks the suite against the model.
set -euo pipefail
bin=$1 specs=$2 target=${3:-} target_https=${4:-}
if "$bin" help run >/dev/null 2>&1; then
  args=("$specs")
  [ -n "$target" ] && args+=(--target "$target")
  [ -n "$target_https" ] && args+=(--target-https "$target_https")
  exec "$bin" run "${args[@]}"
fi
echo "edgeconform: the runner is not built yet; checking the suite against the model instead" >&2
exec "$bin" check "$specs"

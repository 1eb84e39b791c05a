#!/usr/bin/env bash
# Dependency guards (crates.md §8): no aws-lc-rs anywhere in the tree, and no network, async or TLS
# crate in the decision core (DESIGN.md: the core has no I/O).
set -euo pipefail
cd "$(dirname "$0")/.."
if cargo tree -q -i aws-lc-rs --workspace >/dev/null 2>&1; then
  echo "check-deps: aws-lc-rs is in the dependency tree; wire rustls with the ring provider only" >&2
  cargo tree -i aws-lc-rs --workspace >&2
  exit 1
fi
core=$(cargo tree -q -p edgeconform-core -e normal --prefix none)
bad=$(echo "$core" | grep -E '^(tokio|hyper|reqwest|rustls|mio|socket2|h2|tokio-rustls|hyper-util) ' || true)
if [ -n "$bad" ]; then
  echo "check-deps: edgeconform-core depends on network/async crates:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "check-deps: ok (no aws-lc-rs; edgeconform-core has no network or async crate)"

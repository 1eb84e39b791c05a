#!/usr/bin/env bash
# Load a report page in headless Chromium from file://, with networking off, and check the DOM.
#
#   scripts/check-html.sh FILE TEXT...
#
# Each TEXT must occur in the DOM Chromium dumps (serialised: a text node's `<` reads `&lt;`);
# a TEXT starting with `!` must NOT occur (e.g. `!<script`). Installs Debian's `chromium` when it is
# missing and we are root (a developer machine or CI); otherwise exits 77 ("skipped") saying why.
# Exit 0: every check held; 1: a check failed or Chromium produced no DOM; 2: usage.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 FILE [TEXT|!TEXT]..." >&2
    exit 2
fi
file=$(realpath "$1")
shift
[ -f "$file" ] || { echo "check-html: $file: no such file" >&2; exit 2; }

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "check-html: installing Debian's chromium" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq chromium >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }
        browser=$(command -v chromium)
    else
        echo "check-html: chromium is not installed and this is not root with apt-get: skipped" >&2
        exit 77
    fi
fi

profile=$(mktemp -d)
dom=$(mktemp)
trap 'rm -rf "$profile" "$dom"' EXIT
# No sandbox: CI runs as root. Everything that could reach the network is switched off; the page
# itself has a CSP of default-src 'none'.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-default-apps --disable-extensions --no-first-run --no-default-browser-check \
    --user-data-dir="$profile" --dump-dom "file://$file" >"$dom" 2>"$profile/stderr.log" || {
    echo "check-html: chromium failed on $file:" >&2
    tail -20 "$profile/stderr.log" >&2
    exit 1
}
if ! grep -q '</html>' "$dom"; then
    echo "check-html: chromium dumped no DOM for $file" >&2
    tail -20 "$profile/stderr.log" >&2
    exit 1
fi

status=0
for text in "$@"; do
    if [ "${text#!}" != "$text" ]; then
        if grep -qF -- "${text#!}" "$dom"; then
            echo "check-html: $file: \`${text#!}\` occurs in the DOM and must not" >&2
            status=1
        fi
    elif ! grep -qF -- "$text" "$dom"; then
        echo "check-html: $file: \`$text\` not found in the DOM" >&2
        status=1
    fi
done
[ $status -eq 0 ] && echo "check-html: $file: $# checks hold ($(wc -c <"$dom") bytes of DOM)"
exit $status

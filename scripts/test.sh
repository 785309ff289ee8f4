#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install and start services, make the stack
# images (cached in the Docker engine after the first run), then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
[ -f dist/cli/main.js ] || npm run build
node bin/devflow.js stack build
npx tsc -p tsconfig.json --noEmit
npx vitest run "$@"

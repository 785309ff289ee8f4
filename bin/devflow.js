#!/usr/bin/env node
// The devflow command: compiled TypeScript lives in dist/ (built by `npm ci` through `prepare`).
import '../dist/cli/main.js';

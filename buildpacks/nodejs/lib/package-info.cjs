// Prints what bin/build needs from package.json and the toolchain as shell assignments, in one
// Node start (each start costs tens of milliseconds): engines.node and whether the running Node
// satisfies it (npm's own semver copy, found beside the npm on PATH), packageManager, the build
// and start scripts, main, and the npm version.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const q = (v) => "'" + String(v == null ? '' : v).replace(/'/g, "'\\''") + "'";
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const npmBin = (process.env.PATH || '').split(':').map((d) => path.join(d, 'npm')).find((f) => fs.existsSync(f));
const npmRoot = npmBin ? path.join(path.dirname(fs.realpathSync(npmBin)), '..') : null;
const npmVersion = npmRoot ? require(path.join(npmRoot, 'package.json')).version : 'unknown';
const engines = (pkg.engines && pkg.engines.node) || '';
let satisfied = 1;
if (engines && npmRoot) satisfied = require(path.join(npmRoot, 'node_modules', 'semver')).satisfies(process.version, engines) ? 1 : 0;
const scripts = pkg.scripts || {};
const out = {
  engines, engines_ok: satisfied, declared: pkg.packageManager, build_script: scripts.build,
  start_script: scripts.start, main: pkg.main, node_version: process.version, npm_version: npmVersion,
};
for (const [k, v] of Object.entries(out)) console.log(`${k}=${q(v)}`);

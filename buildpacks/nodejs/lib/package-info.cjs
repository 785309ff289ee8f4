// Prints what bin/build needs from package.json and the toolchain as shell assignments, in one
// Node start (each start costs tens of milliseconds): engines.node and whether the running Node
// satisfies it (npm's own semver copy, found beside the npm on PATH), packageManager, the build
// and start scripts, main, and the npm version. With a file name argument it also writes there
// what lib/npm-start.sh needs to start the app as `npm start` would (see there).
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

// npm 7+ exports these package.json fields, flattened (@npmcli/run-script, npm RFC 183).
function packageEnv(value, name, env) {
  if (value === undefined) return env;
  if (value === null || value === false) env[name] = '';
  else if (Array.isArray(value)) value.forEach((item, i) => packageEnv(item, `${name}_${i}`, env));
  else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) packageEnv(v, `${name}_${k}`, env);
  else env[name] = String(value);
  return env;
}

function startEnv() {
  const env = {};
  for (const field of ['name', 'version', 'config', 'engines', 'bin']) packageEnv(pkg[field], `npm_package_${field}`, env);
  return [
    ...Object.entries(env).filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)).map(([k, v]) => `export ${k}=${q(v)}`),
    `npm_start_pre=${q(scripts.prestart)}`,
    `npm_start_script=${q(scripts.start)}`,
    `npm_start_post=${q(scripts.poststart)}`,
    '',
  ].join('\n');
}

if (process.argv[2]) fs.writeFileSync(process.argv[2], startEnv());

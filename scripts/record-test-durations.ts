/**
 * Writes tests/support/test-durations.json, the seconds each test file took, from the JSON
 * reports a whole run left (test-artifacts/vitest*.json of `npm test`): the test sequencer
 * starts the longest files first from it (tests/support/test-order.ts). Run it after a whole
 * CI run and commit the file when the times moved:
 *   node --import tsx scripts/record-test-durations.ts [path/to/checkout/test-artifacts]
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { durationsFromReports } from '../tests/support/test-order.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const artifacts = path.resolve(process.argv[2] ?? path.join(ROOT, 'test-artifacts'));
const names = (await fs.readdir(artifacts)).filter((name) => /^vitest.*\.json$/.test(name));
if (names.length === 0) throw new Error(`no vitest*.json report in ${artifacts}: run npm test first`);
const reports = await Promise.all(names.map(async (name) => JSON.parse(await fs.readFile(path.join(artifacts, name), 'utf8'))));
// The reports name files by absolute path in the checkout that ran them (the artifacts' parent).
const durations = durationsFromReports(reports, path.dirname(artifacts));
const out = path.join(ROOT, 'tests/support/test-durations.json');
await fs.writeFile(out, `${JSON.stringify(durations, null, 1)}\n`);
console.log(`${Object.keys(durations).length} files recorded in ${path.relative(ROOT, out)}`);

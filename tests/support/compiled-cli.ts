/**
 * The `devflow` CLI and server as the tests run them: DevFlow's current source, compiled file by
 * file with esbuild (the transform tsx applies on the fly) into `.test-dist/`, laid out as `tsc`
 * lays out dist/ so paths relative to a module resolve the same, with the dashboard bundled
 * beside it as the production build does (dist/api/web). Compiled once per test run (global
 * setup, a few seconds); each CLI call and each `devflow up` is then a plain `node` start.
 * Through tsx every CLI call cost 0.7–1.0 s more CPU (its loader thread and the per-module
 * hooks), and every `devflow up` about 2 s more; the end-to-end files make hundreds of calls and
 * start DevFlow dozens of times.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeDashboardBundle } from '../../api/bundle.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const TEST_DIST = path.join(ROOT, '.test-dist');
/** What `node` runs for `devflow <args>` (and `devflow up`) in the tests. */
export const CLI_ENTRY = path.join(TEST_DIST, 'cli/main.js');

/** The folders the production build compiles (tsconfig.build.json `include`). */
async function buildIncludes(): Promise<string[]> {
  const config = JSON.parse(await fs.readFile(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
  return config.include;
}

async function sources(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

export async function compileCli(): Promise<void> {
  const esbuild = await import('esbuild');
  const entryPoints = (await Promise.all((await buildIncludes()).map((dir) => sources(path.join(ROOT, dir))))).flat();
  // Compiled beside, then swapped in: another test run in this checkout (two `vitest run`s side
  // by side) may be starting CLI calls from TEST_DIST, which never stands half-written or gone
  // for the seconds a compile takes, only between two renames.
  const next = `${TEST_DIST}.${process.pid}.next`;
  const old = `${TEST_DIST}.${process.pid}.old`;
  await fs.rm(next, { recursive: true, force: true });
  await esbuild.build({
    entryPoints, outdir: next, outbase: ROOT, bundle: false, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error',
  });
  // Where the compiled api/static.ts looks for the dashboard, as in dist/.
  await writeDashboardBundle(path.join(next, 'api/web'));
  await fs.rename(TEST_DIST, old).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  await fs.rename(next, TEST_DIST);
  await fs.rm(old, { recursive: true, force: true });
}

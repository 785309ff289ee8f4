/**
 * `npm run bench`: every benchmark in bench/ in turn (each also runs alone), then the combined
 * results in bench/results/. Build first, since benchmarks run the built `devflow` as users do.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

const here = import.meta.dirname;
const only = process.argv.slice(2);
const benches = (await fs.readdir(here))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .filter((f) => only.length === 0 || only.includes(path.basename(f, '.ts')))
  .sort();

await execa('npm', ['run', 'build'], { cwd: path.dirname(here), stdio: 'inherit' });
for (const bench of benches) {
  console.log(`\n=== bench/${bench}`);
  await execa(process.execPath, ['--import', 'tsx', path.join(here, bench)], { stdio: 'inherit', cwd: path.dirname(here) });
}
console.log(`\nResults: ${path.join(here, 'results')}/*.md (copy them into docs/benchmarks.md with the machine noted)`);

/**
 * Guards the CLI's start-up (issue 14): what `devflow --help` and the API commands load. Follows
 * the static imports (not `import()`, which runs only when a command runs) from cli/main.ts and
 * from each API command's module, and checks that none reaches the server's roles or a heavy
 * package. docs/benchmarks.md (CLI start-up) has the timings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const STATIC_IMPORT = /^\s*(?:import|export)\s(?!type\b)[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm;

/** Every file and package reached by static imports from `entry`, as paths relative to the root or package names. */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    const rel = path.relative(ROOT, file);
    if (seen.has(rel)) return;
    seen.add(rel);
    for (const match of fs.readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const spec = (match[1] ?? match[2])!;
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      else seen.add(spec);
    }
  };
  visit(path.join(ROOT, entry));
  return seen;
}

/** Node's own modules, commander, and the CLI's own light parts of core/. */
const allowed = (dep: string) => dep.startsWith('node:') || dep === 'commander' || dep.startsWith('cli/') ||
  ['core/errors.ts', 'core/settings.ts', 'core/types.ts'].includes(dep);

const apiCommands = fs.readdirSync(path.join(ROOT, 'cli/commands'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'up.ts' && f !== 'stack.ts');

describe('what the CLI loads before a command runs', () => {
  it.each(['cli/main.ts', ...apiCommands.map((f) => `cli/commands/${f}`)])('%s loads nothing of the server', (entry) => {
    expect([...staticGraph(entry)].filter((dep) => !allowed(dep))).toEqual([]);
  });

  it('sees the server behind `up`, so the check above can fail', () => {
    expect([...staticGraph('cli/commands/up.ts')].filter((dep) => !allowed(dep)).length).toBeGreaterThan(10);
  });
});

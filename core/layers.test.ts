/**
 * The layers of docs/architecture.md ("Folders and layers"), checked on the import graph of the
 * source tree (issue 14, "a reading test"): a role imports another only through its front module
 * (`<role>/index.ts`; `core/` is the kernel and has none), and only from a layer below its own, so
 * the way never comes back up and no two roles of one layer lean on each other. The imports are
 * read with the TypeScript compiler's pre-processor (static, type-only, re-exports and `import()`),
 * which skips comments and strings. Tests and test support may reach inside; they are not read.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Each top-level folder of the source and its layer; a folder may import only lower numbers. */
const LAYERS: Readonly<Record<string, number>> = {
  core: 0,
  receiver: 1, builder: 1, router: 1,
  scheduler: 2,
  backend: 3, telemetry: 3, accounts: 3, billing: 3, addons: 3,
  deploys: 4,
  api: 5,
  boot: 6,
  cli: 7,
};

/** Folders whose files may be imported one by one: the kernel. */
const OPEN_FOLDERS = new Set(['core']);

interface Import { from: string; to: string }

const topFolder = (file: string) => file.split('/')[0]!;

/** Every import that breaks the layers, said as a reader would fix it. */
export function layerViolations(imports: readonly Import[], layers: Readonly<Record<string, number>> = LAYERS): string[] {
  const found: string[] = [];
  for (const { from, to } of imports) {
    const [a, b] = [topFolder(from), topFolder(to)];
    if (a === b) continue;
    const [la, lb] = [layers[a], layers[b]];
    if (la === undefined || lb === undefined) {
      found.push(`${from} -> ${to}: ${la === undefined ? a : b}/ has no layer in docs/architecture.md`);
    } else if (lb >= la) {
      found.push(`${from} -> ${to}: ${b}/ is not below ${a}/ (layer ${lb} from layer ${la})`);
    } else if (!OPEN_FOLDERS.has(b) && to !== `${b}/index.ts`) {
      found.push(`${from} -> ${to}: past ${b}/'s front module ${b}/index.ts`);
    }
  }
  return found;
}

const isTestCode = (name: string) => /\.test\.ts$/.test(name) || /^test-[\w-]*\.ts$/.test(name);

/** The relative imports of the source files under the layered folders, as paths from the root. */
function importsOfTree(): Import[] {
  const imports: Import[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') && !isTestCode(entry.name)) {
        imports.push(...importsOf(path.relative(ROOT, file), fs.readFileSync(file, 'utf8')));
      }
    }
  };
  for (const folder of Object.keys(LAYERS)) walk(path.join(ROOT, folder));
  return imports;
}

/** The relative imports of one file (`from`, a path from the root), packages left out. */
function importsOf(from: string, source: string): Import[] {
  const { importedFiles } = ts.preProcessFile(source, true, true);
  return importedFiles.filter((i) => i.fileName.startsWith('.')).map((i) => ({
    from,
    // Sources import their siblings by the emitted name (`./x.js` for `x.ts`).
    to: path.posix.join(path.posix.dirname(from), i.fileName).replace(/\.js$/, '.ts'),
  }));
}

describe('layers', () => {
  it.each([
    { case: 'a role through a lower face', from: 'api/run-tty.ts', to: 'backend/index.ts', found: 0 },
    { case: 'any file of the kernel', from: 'billing/plans.ts', to: 'core/store/database.ts', found: 0 },
    { case: 'inside one role', from: 'scheduler/pipeline.ts', to: 'scheduler/runtime/usage.ts', found: 0 },
    { case: 'past a face', from: 'billing/plans.ts', to: 'scheduler/sizes.ts', found: 1 },
    { case: 'past a face, type only', from: 'telemetry/metrics/usage.ts', to: 'scheduler/runtime/usage.ts', found: 1 },
    { case: 'upward', from: 'scheduler/pipeline.ts', to: 'api/index.ts', found: 1 },
    { case: 'the kernel upward', from: 'core/config.ts', to: 'scheduler/index.ts', found: 1 },
    { case: 'sideways between product roles', from: 'billing/quotas.ts', to: 'accounts/index.ts', found: 1 },
    { case: 'a folder with no layer', from: 'api/x.ts', to: 'tests/support/postgres.ts', found: 1 },
  ])('$case', ({ from, to, found }) => {
    expect(layerViolations([{ from, to }])).toHaveLength(found);
  });

  it('reads type-only imports, re-exports and import(), not comments, strings or packages', () => {
    const source = [
      "import type { Sql } from '../core/store/database.js';",
      "export { SIZES } from '../scheduler/sizes.js';",
      "const tty = await import('../api/run-tty.js');",
      "// import { x } from '../router/index.js';",
      "const text = \"import y from '../deploys/index.js'\";",
      "import ts from 'typescript';",
    ].join('\n');
    expect(importsOf('billing/plans.ts', source).map((i) => i.to))
      .toEqual(['core/store/database.ts', 'scheduler/sizes.ts', 'api/run-tty.ts']);
  });

  it('the source tree keeps them: every role through its face, and only downward', () => {
    const imports = importsOfTree();
    expect(imports.length).toBeGreaterThan(1000);
    expect(layerViolations(imports)).toEqual([]);
  });
});

/**
 * Docs true to the code (issue 14). The README's Layout table is checked against the tree: a
 * folder the table names that does not exist fails, and so does a top-level folder of the
 * repository the table leaves out (the tree is what git tracks, so build output and installed
 * packages never count). docs/architecture.md's boot table is checked against boot/start.ts: the
 * steps it runs, in its order.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * The folders named in the first column of the README's "Layout" table, without the slash. The
 * table ends at its first line that is not a row: Markdown starts a new paragraph at a blank line,
 * so rows after one would not show as part of the table.
 */
function layoutFolders(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Layout\n')) ?? '';
  const lines = section.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
  const rows = start < 0 ? [] : lines.slice(start, end < 0 ? undefined : end);
  return rows.flatMap((row) => /^\| `([^`]+)\/` \|/.exec(row)?.[1] ?? []);
}

/** Top-level folders holding tracked files; dot-folders (CI settings) are not part of the layout. */
function trackedTopFolders(): string[] {
  const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
  const folders = files.filter((f) => f.includes('/')).map((f) => f.slice(0, f.indexOf('/')));
  return [...new Set(folders)].filter((f) => !f.startsWith('.')).sort();
}

describe('README layout', () => {
  const listed = layoutFolders(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

  it('reads the folders of one unbroken table', () => {
    expect(layoutFolders('## Layout\n\n| folder | role |\n| --- | --- |\n| `api/` | REST |\n| `core/x/` | y |\n\n| `z/` | after a blank line |\n'))
      .toEqual(['api', 'core/x']);
    expect(listed.length).toBeGreaterThan(10);
  });

  it('names only folders that exist', () => {
    expect(listed.filter((folder) => !fs.statSync(path.join(ROOT, folder), { throwIfNoEntry: false })?.isDirectory())).toEqual([]);
  });

  it('lists every top-level folder of the repository', () => {
    expect(trackedTopFolders().filter((folder) => !listed.includes(folder))).toEqual([]);
  });
});

describe('docs/architecture.md boot steps', () => {
  it('lists the steps boot/start.ts runs, in its order', () => {
    const start = fs.readFileSync(path.join(ROOT, 'boot/start.ts'), 'utf8');
    const run = [...start.matchAll(/\bstep\((\w+)\(/g)].map((m) => m[1]!);
    const doc = fs.readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
    const section = doc.split(/^## /m).find((s) => s.startsWith('Starting and stopping\n')) ?? '';
    const listed = [...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]!);
    expect(run.length).toBeGreaterThan(5);
    expect(listed).toEqual(run);
  });
});

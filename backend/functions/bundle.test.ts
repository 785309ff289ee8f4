import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction, npmSpecifier } from './bundle.js';

describe('npm: specifiers', () => {
  it.each([
    ['npm:zod', 'zod'],
    ['npm:zod@3.22.4', 'zod'],
    ['npm:@supabase/supabase-js@2', '@supabase/supabase-js'],
    ['npm:@scope/pkg@^1.2/sub/path', '@scope/pkg/sub/path'],
    ['npm:/lodash@4/fp', 'lodash/fp'],
    ['zod', undefined],
    ['jsr:@std/path', undefined],
  ])('%s → %s', (spec, bare) => expect(npmSpecifier(spec)).toBe(bare));
});

describe('bundling a function', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bundle-'));
    await fs.mkdir(path.join(dir, 'node_modules', 'shout'), { recursive: true });
    await fs.writeFile(path.join(dir, 'node_modules', 'shout', 'package.json'), '{"name":"shout","main":"index.js"}');
    await fs.writeFile(path.join(dir, 'node_modules', 'shout', 'index.js'), "module.exports = (s) => require('node:util').format('%s!', s.toUpperCase());");
    await fs.writeFile(path.join(dir, 'ok.ts'), "import shout from 'npm:shout@1';\nexport default (): string => shout('hi');");
    await fs.writeFile(path.join(dir, 'jsr.ts'), "import { join } from 'jsr:@std/path';\nexport default join;");
    await fs.writeFile(path.join(dir, 'missing.ts'), "import x from 'npm:not-installed@1';\nexport default x;");
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('bundles a package from the folder, CommonJS included, into one ES module', async () => {
    const out = path.join(dir, 'out', 'ok.mjs');
    await bundleFunction(dir, 'ok.ts', out);
    const module = await import(out) as { default: () => string };
    expect(module.default()).toBe('HI!');
  });

  it.each([
    ['jsr.ts', /does not download jsr: or URL imports/],
    ['missing.ts', /install not-installed with npm in the function's folder/],
  ])('refuses %s with what to do', async (entry, message) => {
    await expect(bundleFunction(dir, entry, path.join(dir, 'out', `${entry}.mjs`))).rejects.toThrow(message);
  });
});

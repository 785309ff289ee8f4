import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFunctions, formatLogLine, functionUpload, readFunctionFolder } from './functions.js';

describe('devflow functions', () => {
  it("reads a function's folder with relative paths, leaving dot-files out", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-fn-'));
    await fs.mkdir(path.join(dir, 'lib'));
    await fs.mkdir(path.join(dir, '.git'));
    await fs.writeFile(path.join(dir, 'index.ts'), 'export default 1');
    await fs.writeFile(path.join(dir, 'lib', 'a.ts'), 'a');
    await fs.writeFile(path.join(dir, '.env'), 'SECRET=1');
    await fs.writeFile(path.join(dir, '.git', 'HEAD'), 'x');
    const files = await readFunctionFolder(dir);
    expect(files.map((f) => [f.path, Buffer.from(f.content, 'base64').toString()]).sort()).toEqual([['index.ts', 'export default 1'], ['lib/a.ts', 'a']]);
    await fs.rm(dir, { recursive: true });
  });

  it('uploads sibling _shared folders with the function, its folder named as the root', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-fns-'));
    await fs.mkdir(path.join(dir, 'hello'));
    await fs.mkdir(path.join(dir, '_shared'));
    await fs.mkdir(path.join(dir, 'other'));
    await fs.writeFile(path.join(dir, 'hello', 'index.ts'), 'x');
    await fs.writeFile(path.join(dir, '_shared', 'cors.ts'), 'y');
    await fs.writeFile(path.join(dir, 'other', 'index.ts'), 'z');
    const upload = await functionUpload(path.join(dir, 'hello'));
    expect({ root: upload.root, paths: upload.files.map((f) => f.path).sort() }).toEqual({ root: 'hello', paths: ['_shared/cors.ts', 'hello/index.ts'] });
    await fs.rm(dir, { recursive: true });
  });

  it('lists functions as a table and log lines with their invocation', () => {
    expect(formatFunctions([{ name: 'hello', version: 2, verifyJwt: false, invocations: 10, errors: 1, deployedAt: '2026-01-01T00:00:00.000Z' }]).split('\n'))
      .toEqual(['NAME   VERSION  VERIFY JWT  INVOCATIONS  ERRORS  DEPLOYED', 'hello  v2       no          10           1       2026-01-01T00:00:00.000Z']);
    expect(formatLogLine({ at: 't', version: 1, invocation: 'abcdef12-3456', stream: 'stdout', line: 'hi' })).toBe('t v1 abcdef12 stdout: hi');
  });
});

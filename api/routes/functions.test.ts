import { describe, expect, it } from 'vitest';
import { parseFunctionUpload } from './functions.js';

describe('parseFunctionUpload', () => {
  it('decodes base64 files and defaults verifyJwt to true', () => {
    const upload = parseFunctionUpload({ files: [{ path: 'index.ts', content: Buffer.from('export default 1').toString('base64') }] });
    expect(upload.verifyJwt).toBe(true);
    expect(upload.files.map((f) => [f.path, f.content.toString()])).toEqual([['index.ts', 'export default 1']]);
    expect(parseFunctionUpload({ files: [], verifyJwt: false }).verifyJwt).toBe(false);
  });

  it.each([
    [null, 'send application/vnd.devflow.function+json'],
    [{ files: 'x' }, 'send application/vnd.devflow.function+json'],
    [{ files: [], verifyJwt: 'no' }, 'verifyJwt must be true or false'],
    [{ files: [{ path: 'a.ts' }] }, 'each file needs a path and a base64 content'],
  ])('refuses %j', (body, message) => {
    expect(() => parseFunctionUpload(body)).toThrow(message);
  });
});

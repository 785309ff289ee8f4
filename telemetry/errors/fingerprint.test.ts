import { describe, expect, it } from 'vitest';
import { exceptionFingerprint, normalisedFrames } from './fingerprint.js';

const nodeStack = (dir: string, line: number) => `TypeError: Cannot read properties of undefined (reading 'id')
    at handler (${dir}/server.js:${line}:52)
    at async Layer.handle (file://${dir}/node_modules/express/lib/router/layer.js:95:5)
    at node:internal/main/eval_string:51:3 {`;

describe('normalisedFrames', () => {
  it.each<[string, string[]]>([
    [nodeStack('/app', 12), ['handler (server.js)', 'Layer.handle (layer.js)', '(eval_string)']],
    ['Error: x\n    at [eval]:1:30\n    at chunk-8f3a2.js:1:9', ['([eval])', '(chunk-#f#a#.js)']],
    ['Traceback (most recent call last):\n  File "/app/app.py", line 9, in <module>\n    main()\n  File "/app/lib/db2.py", line 8, in connect\n    raise X\nX', ['connect (db#.py)', '<module> (app.py)']],
    ['no frames at all', []],
  ])('%#', (stack, frames) => {
    expect(normalisedFrames(stack)).toEqual(frames);
  });
});

describe('exceptionFingerprint', () => {
  it('is the same across line numbers, folders and messages', () => {
    expect(exceptionFingerprint('TypeError', nodeStack('/app', 12))).toBe(exceptionFingerprint('TypeError', nodeStack('/workspace/v13', 40)));
    expect(exceptionFingerprint('TypeError', nodeStack('/app', 12))).toMatch(/^[0-9a-f]{16}$/);
  });

  it('differs by type and by the frames', () => {
    const base = exceptionFingerprint('TypeError', nodeStack('/app', 12));
    expect(exceptionFingerprint('RangeError', nodeStack('/app', 12))).not.toBe(base);
    expect(exceptionFingerprint('TypeError', nodeStack('/app', 12).replace('handler', 'checkout'))).not.toBe(base);
  });
});

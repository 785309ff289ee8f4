import { describe, expect, it } from 'vitest';
import { isFunctionName, parseUploadPath, splitInvocationPath } from './names.js';

describe('function names', () => {
  it.each([
    ['hello', true], ['hello-world_2', true], ['H', true],
    ['', false], ['2fast', false], ['-x', false], ['a.b', false], ['..', false], ['a/b', false], ['x'.repeat(64), false],
  ])('%s is a name: %s', (name, ok) => expect(isFunctionName(name)).toBe(ok));
});

describe('invocation paths', () => {
  it.each([
    ['/hello', { name: 'hello', rest: '' }],
    ['/hello/', { name: 'hello', rest: '/' }],
    ['/hello/a/b?x=1', { name: 'hello', rest: '/a/b?x=1' }],
    ['/hello?x=1', { name: 'hello', rest: '?x=1' }],
    ['/', undefined], ['', undefined], ['/..', undefined], ['/%2e%2e/x', undefined],
  ])('%s', (path, expected) => expect(splitInvocationPath(path)).toEqual(expected));
});

describe('upload paths', () => {
  it.each([['index.ts', 'index.ts'], ['./lib/a.ts', 'lib/a.ts'], ['node_modules/x/index.js', 'node_modules/x/index.js']])(
    '%s → %s', (raw, expected) => expect(parseUploadPath(raw)).toBe(expected));
  it.each(['', '/etc/passwd', '../x', 'a/../../x', 'a//b', 'a\\b', 'a/./b'])('refuses %s', (raw) => {
    expect(() => parseUploadPath(raw)).toThrow(/not a file path/);
  });
});

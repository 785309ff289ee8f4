import { describe, expect, it } from 'vitest';
import { parseAppName, parseConfigKey, parseProcessType } from './names.js';

describe('parseAppName', () => {
  it.each(['a', 'hello', 'my-app', 'app2', 'a'.repeat(63)])('accepts %s', (name) => {
    expect(parseAppName(name)).toBe(name);
  });

  it.each([
    ['', /required/],
    ['Hello', /invalid/],
    ['-app', /invalid/],
    ['app-', /invalid/],
    ['2app', /invalid/],
    ['my_app', /invalid/],
    ['my..app', /invalid/],
    ['a--b', /invalid/],
    ['../etc', /invalid/],
    ['a'.repeat(64), /too long/],
    ['api', /reserved/],
  ])('rejects %j', (name, message) => {
    expect(() => parseAppName(name)).toThrow(message);
  });

  it('rejects non-strings', () => {
    expect(() => parseAppName(42)).toThrow(/required/);
  });
});

describe('parseProcessType', () => {
  it.each(['web', 'worker', 'release', 'clock_2'])('accepts %s', (t) => expect(parseProcessType(t)).toBe(t));
  it.each(['Web', '', '1web', 'a b', 'x'.repeat(31)])('rejects %j', (t) => expect(() => parseProcessType(t)).toThrow());
});

describe('parseConfigKey', () => {
  it.each(['PORT', 'DATABASE_URL', '_X', 'a1'])('accepts %s', (k) => expect(parseConfigKey(k)).toBe(k));
  it.each(['1A', 'A-B', 'A B', '', 'A=B'])('rejects %j', (k) => expect(() => parseConfigKey(k)).toThrow(/invalid/));
});

describe('preview app names', () => {
  it('are stable, valid and reserved from users', async () => {
    const { previewAppName, parseStoredAppName } = await import('./names.js');
    const name = previewAppName(parseAppName('shop'), 'feature-login');
    expect(name).toMatch(/^pv-[0-9a-f]{12}$/);
    expect(previewAppName(parseAppName('shop'), 'feature-login')).toBe(name);
    expect(previewAppName(parseAppName('shop'), 'other')).not.toBe(name);
    expect(() => parseAppName(name)).toThrow(/reserved/);
    expect(parseStoredAppName(name)).toBe(name);
    expect(() => parseStoredAppName('Bad')).toThrow(/invalid/);
  });
});

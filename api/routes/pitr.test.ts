import { describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { parsePromote, parseRestoreTarget } from './pitr.js';

describe('pg:restore request bodies', () => {
  it('takes the time as given (plan.ts parses it)', () => expect(parseRestoreTarget({ to: '2026-12-04 10:15:00' })).toBe('2026-12-04 10:15:00'));
  it.each([
    [{}, /send "to": the time to restore to/], [{ to: 5 }, /send "to"/], [null, /send "to"/],
    [{ to: '2026-12-04 10:15:00', toApp: 'x' }, /unknown field "toApp": send to/],
  ])('refuses %j', (body, message) => expect(() => parseRestoreTarget(body)).toThrow(message));

  const shop = parseAppName('shop');
  it('a promote names the app again', () => expect(() => parsePromote(shop, { confirm: 'shop' })).not.toThrow());
  it.each([{}, { confirm: 'other' }, { confirm: 'shop', force: true }])('refuses %j', (body) => {
    expect(() => parsePromote(shop, body)).toThrow(/promoting replaces shop's data|unknown field "force"/);
  });
});

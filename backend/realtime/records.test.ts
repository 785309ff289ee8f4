import { describe, expect, it } from 'vitest';
import { changeMessage, commitTimestamp, jsonValue, type RowChange } from './records.js';

describe('change records', () => {
  it.each([
    ['bool', 't', true], ['bool', 'f', false], ['int4', '42', 42], ['int8', '9007199254740993', 9007199254740992],
    ['numeric', 'NaN', 'NaN'], ['float8', '1.5', 1.5], ['jsonb', '{"a": [1]}', { a: [1] }], ['json', '{bad', '{bad'],
    ['timestamptz', '2026-01-02 03:04:05.123+00', '2026-01-02T03:04:05.123+00:00'],
    ['timestamptz', '2026-01-02 08:34:05+05:30', '2026-01-02T08:34:05+05:30'],
    ['timestamp', '2026-01-02 03:04:05', '2026-01-02T03:04:05'], ['_text', '{a,b}', '{a,b}'], ['text', null, null],
  ])('sends a %s %s as %j', (type, text, value) => {
    expect(jsonValue(type, text)).toEqual(value);
  });

  const change: RowChange = {
    type: 'DELETE', schema: 'public', table: 't', relationOid: 1,
    columns: [{ name: 'id', type: 'int4' }, { name: 'secret', type: 'text' }], keyColumns: ['id'],
    record: null, old: { id: '7', secret: 's' }, commitTimestamp: '2026-01-01T00:00:00.000Z',
  };

  it('cuts a DELETE\'s old row to its key when asked (RLS), and leaves unchanged TOAST values out', () => {
    expect(changeMessage(change, true)).toEqual({
      schema: 'public', table: 't', commit_timestamp: '2026-01-01T00:00:00.000Z', type: 'DELETE', columns: change.columns, errors: null,
      old_record: { id: 7 },
    });
    expect(changeMessage(change, false).old_record).toEqual({ id: 7, secret: 's' });
    const update: RowChange = { ...change, type: 'UPDATE', record: { id: '7', secret: undefined }, old: null };
    expect(changeMessage(update, false)).toMatchObject({ record: { id: 7 } });
    expect(changeMessage(update, false)).not.toHaveProperty('old_record');
  });

  it('reads pgoutput commit times', () => {
    expect(commitTimestamp(1_767_225_600_123_456n)).toBe('2026-01-01T00:00:00.123Z');
  });
});

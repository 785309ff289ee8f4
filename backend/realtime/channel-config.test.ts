import { describe, expect, it } from 'vitest';
import { bindingsReply, bindingWants, parseJoinPayload } from './channel-config.js';

describe('a phx_join payload', () => {
  const ids = () => {
    let n = 0;
    return () => (n += 1);
  };

  it('reads what realtime-js sends, and echoes the bindings with ids', () => {
    const config = parseJoinPayload({
      config: {
        broadcast: { self: true, ack: false }, presence: { key: 'k', enabled: true }, private: false,
        postgres_changes: [{ event: '*', schema: 'public', table: 'todos' }, { event: 'INSERT', schema: 'public', table: 'todos', filter: 'id=eq.1' }],
      },
      access_token: 'tok',
    }, ids());
    expect(config).toMatchObject({ broadcast: { self: true, ack: false }, presence: { key: 'k', enabled: true }, private: false, accessToken: 'tok' });
    expect(bindingsReply(config.changes)).toEqual([
      { id: 1, event: '*', schema: 'public', table: 'todos', filter: undefined },
      { id: 2, event: 'INSERT', schema: 'public', table: 'todos', filter: 'id=eq.1' },
    ]);
  });

  it('defaults what is missing', () => {
    expect(parseJoinPayload({}, ids())).toEqual({
      broadcast: { self: false, ack: false }, presence: { key: '', enabled: false }, private: false, changes: [], accessToken: undefined,
    });
  });

  it.each([
    [{ config: { postgres_changes: {} } }, /must be a list/],
    [{ config: { postgres_changes: [{ event: 'TRUNCATE', schema: 'public' }] } }, /event must be one of/],
    [{ config: { postgres_changes: [{ event: 'INSERT' }] } }, /needs a schema/],
    [{ config: { postgres_changes: [{ event: 'INSERT', schema: 'public', filter: 'x' }] } }, /invalid postgres_changes filter/],
    [{ access_token: 5 }, /access_token must be a string/],
  ])('refuses %j', (payload, message) => {
    expect(() => parseJoinPayload(payload, ids())).toThrow(message);
  });

  it.each([
    [{ event: '*', schema: 'public', table: undefined }, 'DELETE', 'public', 'any', true],
    [{ event: 'INSERT', schema: 'public', table: 'todos' }, 'UPDATE', 'public', 'todos', false],
    [{ event: 'UPDATE', schema: 'public', table: 'todos' }, 'UPDATE', 'other', 'todos', false],
    [{ event: 'UPDATE', schema: '*', table: 'todos' }, 'UPDATE', 'other', 'todos', true],
    [{ event: 'INSERT', schema: 'public', table: 'todos' }, 'INSERT', 'public', 'notes', false],
  ] as const)('binding %j wants %s on %s.%s: %s', (b, type, schema, table, wanted) => {
    const [binding] = parseJoinPayload({ config: { postgres_changes: [b] } }, ids()).changes;
    expect(bindingWants(binding!, type, schema, table)).toBe(wanted);
  });
});

import { describe, expect, it } from 'vitest';
import { RestError } from './errors.js';
import { MAX_EMBED_DEPTH, parseSelect } from './parse-select.js';
import type { SelectItem } from './request.js';

const col = (name: string, extra: Partial<Extract<SelectItem, { kind: 'column' }>> = {}): SelectItem => ({ kind: 'column', field: { name, json: [] }, ...extra });

describe('parseSelect', () => {
  const cases: [string, SelectItem[]][] = [
    ['*', [{ kind: 'star' }]],
    ['id,title', [col('id'), col('title')]],
    [' id , title ', [col('id'), col('title')]],
    ['label:title', [col('title', { alias: 'label' })]],
    ['id::text', [col('id', { cast: 'text' })]],
    ['n:meta->owner->>name::text', [{ kind: 'column', alias: 'n', cast: 'text', field: { name: 'meta', json: [{ arrow: '->', key: 'owner' }, { arrow: '->>', key: 'name' }] } }]],
    ['tags->0', [{ kind: 'column', field: { name: 'tags', json: [{ arrow: '->', key: '0' }] } }]],
    ['"my col","a\\"b"', [col('my col'), col('a"b')]],
    ['lists(name)', [{ kind: 'embed', name: 'lists', inner: false, spread: false, select: [col('name')] }]],
    ['owner:users!sender_id!inner(*)', [{ kind: 'embed', name: 'users', alias: 'owner', hint: 'sender_id', inner: true, spread: false, select: [{ kind: 'star' }] }]],
    ['...lists(name)', [{ kind: 'embed', name: 'lists', inner: false, spread: true, select: [col('name')] }]],
    ['lists!inner()', [{ kind: 'embed', name: 'lists', inner: true, spread: false, select: [] }]],
    ['count()', [{ kind: 'aggregate', fn: 'count' }]],
    ['list_id,n:count(),amount.sum()', [col('list_id'), { kind: 'aggregate', fn: 'count', alias: 'n' }, { kind: 'aggregate', fn: 'sum', field: { name: 'amount', json: [] } }]],
    ['top:price.max()::int', [{ kind: 'aggregate', fn: 'max', alias: 'top', cast: 'int', field: { name: 'price', json: [] } }]],
    ['meta->>n.avg(),x.min()', [{ kind: 'aggregate', fn: 'avg', field: { name: 'meta', json: [{ arrow: '->>', key: 'n' }] } }, { kind: 'aggregate', fn: 'min', field: { name: 'x', json: [] } }]],
    ['todos(count())', [{ kind: 'embed', name: 'todos', inner: false, spread: false, select: [{ kind: 'aggregate', fn: 'count' }] }]],
    ['a(b(c(d)))', [{ kind: 'embed', name: 'a', inner: false, spread: false, select: [{ kind: 'embed', name: 'b', inner: false, spread: false, select: [{ kind: 'embed', name: 'c', inner: false, spread: false, select: [col('d')] }] }] }]],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(parseSelect(text)).toEqual(expected);
  });

  const bad = ['id,', 'id,,title', 'lists(name', 'lists(name))', 'a:b:c', 'x!hint', '...x', 'meta->', 'id::', 'a->b(c)', 'lists!a!b(*)', 'amount.median()', 'amount.sum', 'amount.sum(x)', '...count()'];
  it.each(bad)('refuses %s with PGRST100', (text) => {
    try {
      parseSelect(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RestError);
      expect((err as RestError).code).toBe('PGRST100');
      expect((err as RestError).status).toBe(400);
    }
  });

  it('bounds the depth of embedding and the number of items', () => {
    const deep = `${'a('.repeat(MAX_EMBED_DEPTH + 2)}id${')'.repeat(MAX_EMBED_DEPTH + 2)}`;
    expect(() => parseSelect(deep)).toThrow(/failed to parse select/);
    expect(() => parseSelect(Array(1001).fill('id').join(','))).toThrow(/failed to parse select/);
  });
});

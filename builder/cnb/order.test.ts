import { describe, expect, it } from 'vitest';
import { BuildError } from '../../core/errors.js';
import { resolveOrder, type Order, type OrderSource } from './order.js';

const ref = (id: string, optional = false) => ({ id, optional });
const components = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];

function lookup(metas: Record<string, Order>) {
  return (id: string): OrderSource | undefined =>
    metas[id] ? { id, order: metas[id] } : components.includes(id) ? { id, order: null } : undefined;
}

const names = (groups: { id: string; optional: boolean }[][]) => groups.map((g) => g.map((m) => (m.optional ? `${m.id}?` : m.id)).join(','));

describe('resolveOrder (Buildpack API 0.10 "Order Resolution")', () => {
  const O: Order = [[ref('A'), ref('B')], [ref('C'), ref('D')]];
  const P: Order = [[ref('E'), ref('F')], [ref('G'), ref('H')]];
  it.each<[string, Order, Record<string, Order>, string[]]>([
    ['plain groups stay as they are', [[ref('A'), ref('B', true)], [ref('C')]], {}, ['A,B?', 'C']],
    ['[E, O, F] expands O in place', [[ref('E'), ref('O'), ref('F')]], { O }, ['E,A,B,F', 'E,C,D,F']],
    ['[O, P] is the product, depth-first', [[ref('O'), ref('P')]], { O, P }, ['A,B,E,F', 'A,B,G,H', 'C,D,E,F', 'C,D,G,H']],
    ['an optional meta-buildpack adds the group without it', [[ref('E'), ref('O', true), ref('F')]], { O }, ['E,A,B,F', 'E,C,D,F', 'E,F']],
    ['nested metas expand recursively', [[ref('M')]], { M: [[ref('O')], [ref('H')]], O }, ['A,B', 'C,D', 'H']],
    ['optional members inside a meta stay optional', [[ref('M')]], { M: [[ref('A'), ref('B', true)]] }, ['A,B?']],
  ])('%s', (_name, order, metas, expected) => {
    expect(names(resolveOrder(order, lookup(metas)))).toEqual(expected);
  });

  it('fails on an unknown buildpack, and on a meta-buildpack that includes itself', () => {
    expect(() => resolveOrder([[ref('Z')]], lookup({}))).toThrow(/buildpack Z is named in an order but is not available/);
    const err = (() => {
      try {
        resolveOrder([[ref('M')]], lookup({ M: [[ref('N')]], N: [[ref('M')]] }));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).message).toContain('meta-buildpack M includes itself (M → N → M)');
  });
});

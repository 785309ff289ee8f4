/**
 * Order resolution (Buildpack API 0.10, "Phase #1: Detection" → "Order Resolution"): an order is
 * a list of groups; a meta-buildpack in a group (a buildpack.toml with its own `[[order]]`) is
 * replaced by each of its groups in turn, depth-first, left to right, so [E, O, F] with
 * O = [[A, B], [C, D]] becomes [E, A, B, F], [E, C, D, F]. An optional meta-buildpack adds a
 * copy of the group without it after those. Pure: tested with tables.
 */
import { BuildError } from '../../core/errors.js';

export interface OrderRef {
  id: string;
  version?: string;
  optional: boolean;
}

export type Order = OrderRef[][];

/** What resolution needs to know of a buildpack: its own order when it is a meta-buildpack. */
export interface OrderSource {
  id: string;
  order: Order | null;
}

/** A component buildpack in a resolved group. */
export interface GroupMember {
  id: string;
  optional: boolean;
}

export type ResolvedGroup = GroupMember[];

const MAX_GROUPS = 256;

/** Expands every meta-buildpack; fails on unknown ids and on a meta-buildpack that contains itself. */
export function resolveOrder(order: Order, lookup: (id: string) => OrderSource | undefined): ResolvedGroup[] {
  const groups: ResolvedGroup[] = [];
  for (const group of order) {
    groups.push(...expandGroup(group, lookup, []));
    if (groups.length > MAX_GROUPS) {
      throw new BuildError('detect', `the buildpack order expands to more than ${MAX_GROUPS} groups; simplify the meta-buildpacks`);
    }
  }
  return groups;
}

function expandGroup(group: OrderRef[], lookup: (id: string) => OrderSource | undefined, stack: string[]): ResolvedGroup[] {
  let results: ResolvedGroup[] = [[]];
  for (const [index, ref] of group.entries()) {
    const source = lookup(ref.id);
    if (!source) throw new BuildError('detect', `buildpack ${ref.id} is named in an order but is not available`);
    if (!source.order) {
      results = results.map((g) => [...g, { id: ref.id, optional: ref.optional }]);
      continue;
    }
    if (stack.includes(ref.id)) {
      throw new BuildError('detect', `meta-buildpack ${ref.id} includes itself (${[...stack, ref.id].join(' → ')})`);
    }
    const inner = source.order.flatMap((g) => expandGroup(g, lookup, [...stack, ref.id]));
    const expanded = results.flatMap((prefix) => inner.map((g) => [...prefix, ...g]));
    // "If a buildpack order entry within a group has optional = true, then a copy of the group
    // without the entry MUST be repeated after the original group."
    if (ref.optional) {
      const without = [...group.slice(0, index), ...group.slice(index + 1)];
      const rest = expandGroup(without.slice(index), lookup, stack);
      return [
        ...combine(expanded, expandGroup(group.slice(index + 1), lookup, stack)),
        ...combine(results, rest),
      ];
    }
    results = expanded;
  }
  return results;
}

function combine(prefixes: ResolvedGroup[], suffixes: ResolvedGroup[]): ResolvedGroup[] {
  return prefixes.flatMap((p) => suffixes.map((s) => [...p, ...s]));
}

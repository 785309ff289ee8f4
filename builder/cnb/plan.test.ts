import { describe, expect, it } from 'vitest';
import { afterBuild, buildpackPlanFor, parseBuildPlan, resolvePlan, type DetectedBuildpack, type PlanOption } from './plan.js';

const opt = (provides: string[], requires: string[]): PlanOption => ({ provides, requires: requires.map((name) => ({ name, metadata: {} })) });
const bp = (id: string, options: PlanOption[], optional = false): DetectedBuildpack => ({ id, optional, options });

describe('resolvePlan', () => {
  it.each<[string, DetectedBuildpack[], string[] | string]>([
    ['no plan at all passes', [bp('a', [opt([], [])])], ['a']],
    ['provides and requires in one buildpack', [bp('node', [opt(['node'], ['node'])])], ['node']],
    ['a requirement provided earlier', [bp('node', [opt(['node'], [])]), bp('npm', [opt([], ['node'])])], ['node', 'npm']],
    ['a requirement provided only later fails', [bp('npm', [opt([], ['node'])]), bp('node', [opt(['node'], [])])], 'npm requires node, which no buildpack before it provides'],
    ['a provision nobody requires fails a required buildpack', [bp('node', [opt(['node'], [])])], 'node provides node, which no buildpack requires'],
    ['an optional buildpack whose provision is unused drops out', [bp('a', [opt([], [])]), bp('node', [opt(['node'], [])], true)], ['a']],
    ['an optional buildpack whose requirement is unmet drops out', [bp('a', [opt([], [])]), bp('npm', [opt([], ['node'])], true)], ['a']],
    ['dropping one optional buildpack can strand another', [bp('a', [opt([], [])]), bp('node', [opt(['node'], [])], true), bp('x', [opt(['x'], [])], true)], ['a']],
    ['the `or` alternative is tried when the first fails', [bp('node', [opt(['node'], []), opt([], [])])], ['node']],
    ['alternatives are tried left to right, depth-first', [bp('p', [opt(['py'], []), opt(['node'], [])]), bp('c', [opt([], ['node'])])], ['p', 'c']],
    ['an empty group fails', [], 'no buildpack in the group passed detection'],
  ])('%s', (_name, passing, expected) => {
    const result = resolvePlan(passing);
    if (typeof expected === 'string') expect(result).toEqual({ ok: false, reason: expected });
    else expect(result.ok && result.group).toEqual(expected);
  });

  it('gives each provider the requirements of what it provides, and unmet entries move on', () => {
    const result = resolvePlan([
      bp('node', [opt(['node'], [])]),
      bp('node2', [opt(['node'], [])]),
      bp('app', [{ provides: [], requires: [{ name: 'node', metadata: { version: '20' } }] }]),
    ]);
    if (!result.ok) throw new Error(result.reason);
    expect(result.entries).toEqual([{ name: 'node', providers: ['node', 'node2'], requires: [{ name: 'node', metadata: { version: '20' } }] }]);
    expect(buildpackPlanFor('node', result.entries)).toEqual([{ name: 'node', metadata: { version: '20' } }]);
    expect(buildpackPlanFor('node2', afterBuild('node', result.entries, []))).toEqual([]);
    expect(buildpackPlanFor('node2', afterBuild('node', result.entries, ['node']))).toEqual([{ name: 'node', metadata: { version: '20' } }]);
  });
});

describe('parseBuildPlan', () => {
  it('reads the top level and each [[or]] as options', () => {
    const text = '[[provides]]\nname = "a"\n[[requires]]\nname = "a"\n[requires.metadata]\nv = 1\n[[or]]\n[[or.provides]]\nname = "b"\n';
    expect(parseBuildPlan(text, 'bp')).toEqual([
      { provides: ['a'], requires: [{ name: 'a', metadata: { v: 1 } }] },
      { provides: ['b'], requires: [] },
    ]);
  });
  it.each([
    ['[[provides]\n', /bp wrote an invalid build plan/],
    ['[[requires]]\nversion = "1"\n', /every requires entry needs a name/],
  ])('rejects %j', (text, message) => {
    expect(() => parseBuildPlan(text, 'bp')).toThrow(message);
  });
});

import { describe, expect, it } from 'vitest';
import { planPreviewAddons, withheldLines, type ParentAddonFacts } from './plan.js';

const redis: ParentAddonFacts = { name: 'redis-a1b2c3', kind: 'redis', env: ['REDIS_URL'], policy: 'own', shareWithPreviews: false };
const neo4j: ParentAddonFacts = {
  name: 'neo4j-d4e5f6', kind: 'neo4j', env: ['NEO4J_URL', 'NEO4J_USER', 'NEO4J_PASSWORD', 'NEO4J_DATABASE'], policy: 'external', shareWithPreviews: false,
};
const vespa: ParentAddonFacts = { name: 'vespa-0a0b0c', kind: 'vespa', env: ['VESPA_URL', 'VESPA_NAMESPACE'], policy: 'external', shareWithPreviews: false };
const pool: ParentAddonFacts = { name: 'pgbouncer-111111', kind: 'pgbouncer', env: ['DATABASE_POOL_URL'], policy: 'database', shareWithPreviews: false };
const extensions: ParentAddonFacts = { name: 'postgres-222222', kind: 'postgres', env: [], policy: 'database', shareWithPreviews: false };

describe('planPreviewAddons', () => {
  it.each<[string, ParentAddonFacts[], string[], ReturnType<typeof planPreviewAddons>]>([
    ['an app without add-ons: nothing to do', [], [], { provision: [], withhold: [], withheld: [], shared: [] }],
    ["the app's redis: the preview gets its own, the app's REDIS_URL is not inherited", [redis], [],
      { provision: ['redis'], withhold: ['REDIS_URL'], withheld: [], shared: [] }],
    ['a preview that already has its redis: none made again', [redis], ['redis'],
      { provision: [], withhold: ['REDIS_URL'], withheld: [], shared: [] }],
    ['a server the user named: withheld, and said', [neo4j, vespa], [],
      { provision: [], withhold: [...neo4j.env, ...vespa.env], withheld: [neo4j, vespa].map(({ name, kind, env }) => ({ name, kind, env })), shared: [] }],
    ['shared with previews by the user: inherited as the app has it, nothing made', [{ ...neo4j, shareWithPreviews: true }, { ...redis, shareWithPreviews: true }], [],
      { provision: [], withhold: [], withheld: [], shared: [neo4j.name, redis.name] }],
    ["the pool of the parent's database: withheld without a note; extensions bind nothing", [pool, extensions], [],
      { provision: [], withhold: ['DATABASE_POOL_URL'], withheld: [], shared: [] }],
    ['all at once', [redis, { ...vespa, shareWithPreviews: true }, neo4j, pool], [],
      { provision: ['redis'], withhold: ['REDIS_URL', ...neo4j.env, 'DATABASE_POOL_URL'], withheld: [{ name: neo4j.name, kind: 'neo4j', env: neo4j.env }], shared: [vespa.name] }],
  ])('%s', (_what, parent, previewKinds, expected) => expect(planPreviewAddons(parent, previewKinds)).toEqual(expected));
});

describe('withheldLines', () => {
  it('names the variables, the add-on and both ways to opt in', () => {
    expect(withheldLines('shop', [{ name: vespa.name, kind: 'vespa', env: vespa.env }])).toEqual([
      " !     Not passed to the preview: VESPA_URL, VESPA_NAMESPACE of vespa-0a0b0c (vespa, a server you run), so the preview cannot write to production's data",
      '       To let previews use it as shop does: devflow addons:share shop vespa-0a0b0c; or give previews their own: devflow previews:config:set shop VESPA_URL=…',
    ]);
  });
  it('says nothing when nothing is withheld', () => expect(withheldLines('shop', [])).toEqual([]));
});

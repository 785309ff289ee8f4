import { describe, expect, it } from 'vitest';
import { inheritedVars, previewConfig, type PreviewConfigParts } from './app-context.js';

describe('inheritedVars', () => {
  it.each<[string, Record<string, string>, string[], Record<string, string>]>([
    ['keeps ordinary vars', { GREETING: 'hi', LOG_LEVEL: 'info' }, [], { GREETING: 'hi', LOG_LEVEL: 'info' }],
    ["leaves the parent's pool URL (its production database) behind", { GREETING: 'hi', DATABASE_POOL_URL: 'postgres://app_shop@h:1/app_shop' }, [], { GREETING: 'hi' }],
    ['leaves withheld add-on vars behind', { GREETING: 'hi', REDIS_URL: 'redis://app_shop@h:1', VESPA_URL: 'http://search:8080' }, ['REDIS_URL', 'VESPA_URL'], { GREETING: 'hi' }],
    ['a withheld name the parent lacks changes nothing', { GREETING: 'hi' }, ['NEO4J_URL'], { GREETING: 'hi' }],
    ['an empty parent', {}, [], {}],
  ])('%s', (_what, parent, withhold, expected) => expect(inheritedVars(parent, withhold)).toEqual(expected));
});

const parent = { GREETING: 'hi', REDIS_URL: 'redis://app_shop:p@h:1', NEO4J_URL: 'bolt://graph:7687', SHARED_URL: 'http://shared' };
const none: PreviewConfigParts = { parent, addons: { set: {}, withhold: [] }, overrides: {}, own: {} };

describe('previewConfig: which vars a preview gets', () => {
  it.each<[string, PreviewConfigParts, Record<string, string>]>([
    ['no add-on answer: all the parent has (old behaviour for apps without add-ons)', none, parent],
    ["its own redis replaces the parent's; the external server's URL is withheld",
      { ...none, addons: { set: { REDIS_URL: 'redis://app_pv-1:q@h:1' }, withhold: ['REDIS_URL', 'NEO4J_URL'] } },
      { GREETING: 'hi', REDIS_URL: 'redis://app_pv-1:q@h:1', SHARED_URL: 'http://shared' }],
    ['a preview override (a staging server) beats both the withholding and its own add-on',
      { ...none, addons: { set: { REDIS_URL: 'redis://app_pv-1:q@h:1' }, withhold: ['REDIS_URL', 'NEO4J_URL'] }, overrides: { NEO4J_URL: 'bolt://staging:7687', REDIS_URL: 'redis://staging' } },
      { GREETING: 'hi', REDIS_URL: 'redis://staging', NEO4J_URL: 'bolt://staging:7687', SHARED_URL: 'http://shared' }],
    ["the preview's own config vars win over everything",
      { ...none, addons: { set: { REDIS_URL: 'redis://app_pv-1:q@h:1' }, withhold: ['REDIS_URL'] }, overrides: { GREETING: 'preview' }, own: { GREETING: 'mine', REDIS_URL: 'redis://mine' } },
      { GREETING: 'mine', REDIS_URL: 'redis://mine', NEO4J_URL: 'bolt://graph:7687', SHARED_URL: 'http://shared' }],
  ])('%s', (_what, parts, expected) => expect(previewConfig(parts)).toEqual(expected));
});

import { describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { aclRules, aclUserName, keyPrefix } from './acl-rules.js';

describe('an app\'s Redis ACL user', () => {
  const shop = parseAppName('shop');
  it.each([
    ['user name', aclUserName(shop), 'app_shop'],
    ['key prefix', keyPrefix(shop), 'shop:'],
  ])('%s', (_what, got, want) => expect(got).toBe(want));

  it('starts from reset, holds its password, and reaches only its own keys and channels', () => {
    const rules = aclRules(shop, 'pw');
    expect(rules.slice(0, 5)).toEqual(['reset', 'on', '>pw', '~shop:*', '&shop:*']);
    expect(rules).toEqual(expect.arrayContaining(['-@admin', '-@dangerous', '-scan', '-select']));
    expect(rules.filter((r) => r.startsWith('~') || r.startsWith('&'))).toHaveLength(2);
  });
});

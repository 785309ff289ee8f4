import { describe, expect, it } from 'vitest';
import { envDigest, functionEnv } from './env.js';

const project = { url: 'http://127.0.0.1:7070/backend/shop', keys: { jwtSecret: 's', anonKey: 'anon', serviceRoleKey: 'service' } };

describe('a function environment', () => {
  it("holds the project's URL, keys and config vars, and no NODE_OPTIONS", () => {
    expect(functionEnv(project, { STRIPE_KEY: 'sk', NODE_OPTIONS: '--allow-fs-read=*' })).toEqual({
      STRIPE_KEY: 'sk', SUPABASE_URL: project.url, SUPABASE_ANON_KEY: 'anon', SUPABASE_SERVICE_ROLE_KEY: 'service',
    });
  });

  it('keeps the platform values over a config var of the same name', () => {
    expect(functionEnv(project, { SUPABASE_URL: 'elsewhere' }).SUPABASE_URL).toBe(project.url);
  });

  it('digests equal environments alike, whatever their order, and changed ones differently', () => {
    expect(envDigest({ A: '1', B: '2' })).toBe(envDigest({ B: '2', A: '1' }));
    expect(envDigest({ A: '1' })).not.toBe(envDigest({ A: '2' }));
    expect(envDigest({ A: '1\0B' })).not.toBe(envDigest({ A: '1', B: '' }));
  });
});

import { describe, expect, it } from 'vitest';
import { supabaseEnv } from './env.js';

describe('supabaseEnv', () => {
  it('gives the URL and anon key NEXT_PUBLIC_ twins, never the service-role key or the database URL', () => {
    const env = supabaseEnv({
      urls: { server: 'http://172.17.0.1:7070/backend/shop', browser: 'https://shop--api.example.com' },
      anonKey: 'anon', serviceRoleKey: 'service', databaseUrl: 'postgres://u:p@172.17.0.1:5432/db',
    });
    expect(env).toEqual({
      SUPABASE_URL: 'http://172.17.0.1:7070/backend/shop',
      SUPABASE_ANON_KEY: 'anon',
      SUPABASE_SERVICE_ROLE_KEY: 'service',
      SUPABASE_DB_URL: 'postgres://u:p@172.17.0.1:5432/db',
      NEXT_PUBLIC_SUPABASE_URL: 'https://shop--api.example.com',
      NEXT_PUBLIC_SUPABASE_ANON_KEY: 'anon',
    });
    expect(Object.keys(env).filter((k) => k.startsWith('NEXT_PUBLIC_') && /SERVICE|DB/.test(k))).toEqual([]);
  });
});

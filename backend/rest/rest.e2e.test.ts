import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestProject } from '../test-support.js';
import { createRestFixture } from './fixture.js';
import { startRestTestServer, type RestTestServer } from './test-server.js';

let t: TestProject;
let server: RestTestServer;
let anon: SupabaseClient;
let service: SupabaseClient;

beforeAll(async () => {
  t = await createRestFixture();
  server = await startRestTestServer(t.project);
  // Node 20 has no WebSocket of its own; supabase-js builds its realtime client eagerly.
  const options = { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: ws as never } };
  anon = createClient(server.url, t.project.keys.anonKey, options);
  service = createClient(server.url, t.project.keys.serviceRoleKey, options);
});
afterAll(async () => {
  await server?.close();
  await t?.drop();
});

describe('select', () => {
  it('reads rows in natural order with bigint as numbers and ranges as strings', async () => {
    const { data, error, status } = await anon.from('todos').select('id, title, big, during').lte('id', 3);
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toEqual([
      { id: 1, title: 'buy milk', big: 9007199254740993, during: '[1,5)' },
      { id: 2, title: 'fix bike', big: null, during: null },
      { id: 3, title: 'write report', big: 1, during: '[3,8)' },
    ]);
  });
});

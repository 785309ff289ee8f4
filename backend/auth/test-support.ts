/**
 * For tests: one provisioned test project (backend/test-support.ts) with the auth schema, served
 * through the local gateway (local-gateway.ts).
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { AuthSettings } from '../contract.js';
import { createTestProject, type TestProject } from '../test-support.js';
import { serveAuth } from './local-gateway.js';
import { authSchemaSql } from './schema-sql.js';
import type { AuthServiceOptions } from './service.js';


export interface AuthTestServer extends TestProject {
  url: string;
  close(): Promise<void>;
}

export async function startAuthTestServer(options: { auth?: Partial<AuthSettings>; service: AuthServiceOptions }): Promise<AuthTestServer> {
  const test = await createTestProject({ auth: options.auth });
  for (const statement of authSchemaSql(test.project.ref)) await test.adminSql.unsafe(statement);
  const served = await serveAuth(test.project, options.service);
  return {
    ...test,
    url: served.url,
    async close() {
      await served.close();
      await test.drop();
    },
  };
}

/**
 * supabase-js as an app would create it. Node 20 has no WebSocket of its own, and supabase-js
 * builds its realtime client eagerly, so it is handed `ws` (the documented way on Node < 22).
 */
export function supabaseClient(url: string, key: string, auth: { flowType?: 'implicit' | 'pkce' } = {}, headers: Record<string, string> = {}): SupabaseClient {
  return createClient(url, key, {
    global: { headers },
    auth: { persistSession: auth.flowType === 'pkce', autoRefreshToken: false, flowType: auth.flowType ?? 'implicit' },
    realtime: { transport: WebSocket as never },
  });
}

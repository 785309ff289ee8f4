/**
 * For tests: one provisioned test project (backend/test-support.ts) with the auth schema, served
 * through the local gateway (local-gateway.ts).
 */
import type { AuthSettings } from '../contract.js';
import { createTestProject, type TestProject } from '../test-support.js';
import { serveAuth } from './local-gateway.js';
import { authSchemaSql } from './schema-sql.js';
import type { AuthServiceOptions } from './service.js';

export { supabaseClient } from './local-gateway.js';

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


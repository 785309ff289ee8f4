/**
 * A provisioned project with the storage schema, a folder for its bytes and the stand-in gateway
 * (test-server.ts) in front of the storage service, with @supabase/supabase-js clients on it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import ws from 'ws';
import { serverUrl, withDatabase } from '../../tests/support/postgres.js';
import { createTestProject, type TestProject } from '../test-support.js';
import { storageSchemaSql } from './index.js';
import { startStorageTestServer, signUserToken, type StorageTestServer } from './test-server.js';

export interface StorageTestProject extends TestProject {
  root: string;
  server: StorageTestServer;
  /** A supabase-js client with the anon key, or with a signed-in user's access token. */
  client(options?: { user?: string; key?: 'anon' | 'service_role' }): Promise<SupabaseClient>;
  /** Every file under the project's storage folder (object versions and staging files). */
  files(): Promise<string[]>;
  dispose(): Promise<void>;
}

export async function createStorageTestProject(options: { setupSql?: string; maxFileSize?: number; s3Url?: string } = {}): Promise<StorageTestProject> {
  const t = await createTestProject();
  for (const statement of storageSchemaSql(t.project.ref)) await t.adminSql.unsafe(statement);
  if (options.setupSql) await t.adminSql.unsafe(options.setupSql);
  const root = await mkdtemp(join(tmpdir(), 'devflow-storage-'));
  const server = await startStorageTestServer(t.project, { root, maxFileSize: options.maxFileSize, s3Url: options.s3Url });
  // Links the service hands out (resumable upload URLs) lead back to this server.
  t.project.url = server.url;
  return {
    ...t,
    root,
    server,
    async client({ user, key = 'anon' } = {}) {
      const apiKey = key === 'anon' ? t.project.keys.anonKey : t.project.keys.serviceRoleKey;
      const headers: Record<string, string> = user ? { Authorization: `Bearer ${await signUserToken(t.project, user)}` } : {};
      return createClient(server.url, apiKey, { auth: { persistSession: false, autoRefreshToken: false }, global: { headers }, realtime: { transport: ws as never } });
    },
    async files() {
      const entries = await readdir(join(root, t.project.ref), { recursive: true, withFileTypes: true }).catch(() => []);
      return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    },
    async dispose() {
      await server.close();
      await t.drop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export interface ChildStorageServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * The same stand-in gateway and service in a child process on the same project and folder, so
 * its memory is the server's alone. The owner role gets a password the child logs in with.
 */
export async function startChildStorageServer(t: StorageTestProject): Promise<ChildStorageServer> {
  const password = randomBytes(12).toString('hex');
  await t.adminSql.unsafe(`ALTER ROLE "${t.project.ref}" PASSWORD '${password}'`);
  const ownerUrl = new URL(withDatabase(serverUrl(), t.project.ref));
  ownerUrl.username = t.project.ref;
  ownerUrl.password = password;
  const config = { ref: t.project.ref, ownerUrl: ownerUrl.toString(), keys: t.project.keys, root: t.root };
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./test-server-child.ts', import.meta.url).pathname], {
    env: { ...process.env, STORAGE_TEST_PROJECT: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`storage test server exited with ${code}`)));
  });
  const { url } = JSON.parse(first) as { url: string };
  return {
    url,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

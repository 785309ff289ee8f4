/**
 * Issue 4, DATABASE_URL end to end: every app gets its own database and role on the platform
 * PostgreSQL, created on the first deploy and kept across releases; the app writes and reads
 * rows through the injected DATABASE_URL (from a container or a swarm task via the Docker
 * bridge, or from a host process via loopback); one app's role cannot connect to another app's database; the
 * database goes away with the app.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../core/store/database.js';
import { cleanupRuntime } from '../support/cleanup.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';
import { serverUrl } from '../support/postgres.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/node-db');

interface DatabaseSettings {
  url: string;
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

describe.each(['docker', 'process', 'swarm'] as const)('DATABASE_URL on the %s runtime', (runtime) => {
  let devflow: DevflowProcess;
  let repo: Workdir;
  const host = (app: string) => `${app}.localhost`;

  beforeAll(async () => {
    devflow = await startDevflowProcess({ runtime });
    await devflow.cli(['apps:create', 'notes']);
    await devflow.cli(['apps:create', 'other']);
    repo = await repoFromExample(EXAMPLE);
  });
  afterAll(async () => {
    await devflow?.stop();
    if (devflow && runtime === 'swarm') await removeServices(devflow.home);
    await cleanupRuntime(devflow?.home);
  });

  async function push(app: string) {
    return pushTo(repo, devflow, app);
  }

  async function databaseSettings(app: string): Promise<{ status: number; body: DatabaseSettings & { error?: { message: string } } }> {
    const res = await fetch(`${devflow.api}/api/v1/apps/${app}/config/database`, {
      headers: { authorization: `Bearer ${devflow.token}` },
    });
    return { status: res.status, body: (await res.json()) as DatabaseSettings & { error?: { message: string } } };
  }

  it('an app has no database before its first deploy; the platform key file is private', async () => {
    const before = await databaseSettings('notes');
    expect(before.status).toBe(404);
    expect(JSON.stringify(before.body)).toContain('created on the first deploy');
    expect((await fs.stat(path.join(devflow.home, 'secret-key'))).mode & 0o777).toBe(0o600);
  });

  it('the app writes a row through DATABASE_URL and reads it back', async () => {
    const result = await push('notes');
    expect(result.exitCode, result.stderr).toBe(0);
    expect((await getViaRouter(devflow.httpPort, host('notes'), '/write')).body).toBe('wrote row 1\n');
    const read = await getViaRouter(devflow.httpPort, host('notes'));
    expect(read.status).toBe(200);
    expect(read.body).toBe('node-db rows (v1): 1=written by v1\n');
    const settings = (await databaseSettings('notes')).body;
    expect((await getViaRouter(devflow.httpPort, host('notes'), '/whoami')).body).toBe(`${settings.user} on ${settings.database}\n`);
    expect(settings.host).toEqual(runtime !== 'process' ? expect.stringMatching(/^172\.\d+\.\d+\.1$/) : '127.0.0.1');
    expect(settings.url).toContain(`@${settings.host}:${settings.port}/${settings.database}`);
  });

  it('the row survives a redeploy of a changed app', async () => {
    const server = path.join(repo.dir, 'server.js');
    await fs.writeFile(server, (await fs.readFile(server, 'utf8')).replace('node-db rows', 'node-db rows, changed'));
    await repo.commit('change the listing');
    const result = await push('notes');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('v2 is live');
    expect((await getViaRouter(devflow.httpPort, host('notes'), '/write?body=second')).body).toBe('wrote row 2\n');
    expect((await getViaRouter(devflow.httpPort, host('notes'))).body).toBe('node-db rows, changed (v2): 1=written by v1, 2=second\n');
  });

  it("an app's role cannot connect to another app's database", async () => {
    expect((await push('other')).exitCode).toBe(0);
    const notes = (await databaseSettings('notes')).body;
    const other = (await databaseSettings('other')).body;
    expect(other.database).not.toBe(notes.database);
    // From this (host) process the server is reached on loopback, whatever host apps use.
    const fromHost = notes.url.replace(`@${notes.host}:`, '@127.0.0.1:');
    expect(await tryQuery(fromHost)).toEqual({ ok: true });
    const intoOther = fromHost.replace(new RegExp(`/${notes.database}$`), `/${other.database}`);
    const refused = await tryQuery(intoOther);
    expect(refused).toMatchObject({ ok: false, code: '42501' });
    expect(refused.message).toContain(`permission denied for database "${other.database}"`);
    // The other app's own data is untouched and its role works on its own database only.
    expect((await getViaRouter(devflow.httpPort, host('other'))).body).toBe('node-db rows, changed (v1): \n');
  });

  it('destroying the app drops its database and role', async () => {
    const { database, user } = (await databaseSettings('notes')).body;
    await devflow.cli(['apps:destroy', 'notes', '--confirm', 'notes']);
    const admin = connect(serverUrl(), 1);
    try {
      expect(await admin`SELECT 1 FROM pg_database WHERE datname = ${database}`).toHaveLength(0);
      expect(await admin`SELECT 1 FROM pg_roles WHERE rolname = ${user}`).toHaveLength(0);
    } finally {
      await admin.end({ timeout: 1 });
    }
    await devflow.cli(['apps:destroy', 'other', '--confirm', 'other']);
  });
});

async function removeServices(home: string): Promise<void> {
  const ids = (await execa('/usr/bin/docker', ['service', 'ls', '-q', '--filter', `label=devflow.home=${home}`], { reject: false })).stdout;
  const services = ids.split('\n').filter(Boolean);
  if (services.length > 0) await execa('/usr/bin/docker', ['service', 'rm', ...services], { reject: false });
}

async function tryQuery(url: string): Promise<{ ok: boolean; code?: string; message?: string }> {
  const sql = connect(url, 1);
  try {
    await sql`SELECT 1`;
    return { ok: true };
  } catch (err) {
    return { ok: false, code: (err as { code?: string }).code, message: (err as Error).message };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

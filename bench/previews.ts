/**
 * Previews: time to branch a database of about 10 MB and 500 MB (rows of realistic size) by
 * each method DevFlow uses (TEMPLATE when the parent is idle, pg_dump | psql streamed when the
 * parent app holds a session), beside a plain `pg_dump | psql` of the same database in the same
 * run; and the time from a branch push to its preview serving.
 *
 *   node --import tsx bench/previews.ts
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { connect, type Sql } from '../core/store/database.js';
import { startEmbeddedPostgres } from '../core/embedded-postgres/embedded.js';
import { branchDatabase, dropBranch } from '../scheduler/previews/database-branch.js';
import { getBody, machine, now, ROOT, sleep, startDevflow, stopAndClean, writeResult } from './lib/devflow.js';

interface Creds { database: string; role: string; password: string }

function creds(label: string): Creds {
  const name = `bench_${label}_${randomBytes(3).toString('hex')}`;
  return { database: name, role: name, password: randomBytes(12).toString('base64url') };
}

function urlFor(server: string, c: Creds): string {
  const url = new URL(server);
  url.username = c.role;
  url.password = c.password;
  url.pathname = `/${c.database}`;
  return url.toString();
}

/** A parent app database of roughly `mb` megabytes: orders with customer text, about 250 bytes a row. */
async function makeParent(sql: Sql, server: string, mb: number): Promise<Creds> {
  const parent = creds(`p${mb}`);
  await sql.unsafe(`CREATE ROLE "${parent.role}" LOGIN PASSWORD '${parent.password}'`);
  await sql.unsafe(`CREATE DATABASE "${parent.database}" OWNER "${parent.role}"`);
  const app = connect(urlFor(server, parent), 1);
  await app`CREATE TABLE orders (id bigserial PRIMARY KEY, customer text, email text, address text, note text, total numeric(10,2), created_at timestamptz)`;
  const rows = Math.round((mb * 1024 * 1024) / 250);
  await app`INSERT INTO orders (customer, email, address, note, total, created_at)
    SELECT 'Customer ' || g, 'customer' || g || '@example.com', g || ' Long Street, Springfield, 12345',
           md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text), (g % 10000) / 100.0, now() - (g || ' seconds')::interval
    FROM generate_series(1, ${rows}) g`;
  await app`CREATE INDEX orders_email ON orders (email)`;
  await app.end();
  return parent;
}

async function sizeMb(sql: Sql, database: string): Promise<number> {
  const [row] = await sql<{ bytes: string }[]>`SELECT pg_database_size(${database}) AS bytes`;
  return Number(row!.bytes) / 1024 / 1024;
}

async function plainDumpRestore(sql: Sql, server: string, parent: Creds): Promise<number> {
  const target = creds('plain');
  await sql.unsafe(`CREATE DATABASE "${target.database}"`);
  const url = new URL(server);
  const start = now();
  const env = { PGPASSWORD: decodeURIComponent(url.password) };
  const common = ['-h', url.hostname, '-p', url.port, '-U', decodeURIComponent(url.username)];
  const dump = execa('/usr/lib/postgresql/15/bin/pg_dump', [...common, '--no-owner', '--no-privileges', parent.database], { env, buffer: { stdout: false } });
  const restore = execa('/usr/lib/postgresql/15/bin/psql', [...common, '-q', '-X', '-d', target.database], { env, stdin: 'pipe', stdout: 'ignore' });
  dump.stdout!.pipe(restore.stdin!);
  await Promise.all([dump, restore]);
  const elapsed = now() - start;
  await sql.unsafe(`DROP DATABASE "${target.database}"`);
  return elapsed;
}

async function branchTimes(mb: number, sql: Sql, server: string) {
  const parent = await makeParent(sql, server, mb);
  const actual = await sizeMb(sql, parent.database);
  const template = creds('tpl');
  const t = await branchDatabase({ sql, serverUrl: server, source: parent, target: template });
  const session = connect(urlFor(server, parent), 1);
  await session`SELECT 1`;
  const dumped = creds('dump');
  const d = await branchDatabase({ sql, serverUrl: server, source: parent, target: dumped });
  await session.end();
  const plain = await plainDumpRestore(sql, server, parent);
  for (const c of [template, dumped, parent]) await dropBranch(sql, c);
  return { mb: actual, template: t, dump: d, plain };
}

async function pushToPreview(): Promise<number> {
  const devflow = await startDevflow('process');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-preview-'));
  const env = { GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
  try {
    await execa(process.execPath, [path.join(ROOT, 'bin/devflow.js'), 'apps:create', 'bench'], {
      env: { ...process.env, DEVFLOW_API: `http://127.0.0.1:${devflow.port}`, DEVFLOW_TOKEN: devflow.token },
    });
    await fs.cp(path.join(ROOT, 'examples/node-db'), dir, { recursive: true });
    const git = (args: string[]) => execa('git', args, { cwd: dir, env });
    const remote = `http://devflow:${devflow.token}@127.0.0.1:${devflow.port}/bench.git`;
    await git(['init', '-q', '-b', 'main']);
    await git(['add', '-A']);
    await git(['commit', '-q', '-m', 'v1']);
    await git(['push', '-q', remote, 'main']);
    await getBody(devflow.httpPort, 'bench.localhost');
    await git(['checkout', '-q', '-b', 'preview']);
    await fs.appendFile(path.join(dir, 'server.js'), '\n// preview\n');
    await git(['commit', '-qam', 'preview']);
    const start = now();
    await git(['push', '-q', remote, 'preview']);
    while (!(await getBody(devflow.httpPort, 'preview.bench.localhost')).includes('node-db rows')) await sleep(10);
    return now() - start;
  } finally {
    await stopAndClean(devflow);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const pgDir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-pg-'));
await fs.chmod(pgDir, 0o755);
const cluster = await startEmbeddedPostgres(pgDir, () => {});
const sql = connect(cluster.url, 2);
const rows = [];
try {
  for (const mb of [10, 500]) rows.push(await branchTimes(mb, sql, cluster.url));
} finally {
  await sql.end();
  await cluster.stop();
  await fs.rm(pgDir, { recursive: true, force: true });
}
const previewMs = await pushToPreview();
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
await writeResult('previews', [
  `### Database branching and previews, ${machine()}`,
  '',
  'PostgreSQL 15 (embedded), pg_dump/psql 15 from Debian. "Plain pg_dump | psql" is the same database copied by hand in the same run.',
  '',
  '| database size | TEMPLATE (parent idle) | pg_dump \\| psql streamed (parent in use) | plain pg_dump \\| psql |',
  '| --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.mb.toFixed(0)} MB | ${s(r.template.ms)} | ${s(r.dump.ms)} | ${s(r.plain)} |`),
  '',
  `Branch push to preview serving (node-db, process runtime, database branched from the parent): ${s(previewMs)}.`,
  '',
].join('\n'));

/**
 * Database branching for previews: a preview's database starts as a copy, schema and data, of
 * its parent app's database at the moment the preview is created, owned by the preview's own
 * role (which cannot connect to the parent's database).
 *
 * - `template`: CREATE DATABASE … TEMPLATE <parent>. A file-level copy, the fastest method,
 *   but PostgreSQL allows it only while no session is connected to the parent.
 * - `dump`: otherwise, pg_dump piped straight into psql (no temporary file). pg_dump reads one
 *   MVCC snapshot and takes only ACCESS SHARE locks, so the parent app keeps reading and
 *   writing its database throughout.
 * Passwords reach pg_dump/psql through PGPASSWORD in their environment, never their arguments
 * (which any local user can read in the process list).
 */
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { DevflowError } from '../../core/errors.js';
import { releaseReplicationSlots, type AppDatabaseCredentials } from '../../core/store/app-databases.js';
import { connect, type Sql } from '../../core/store/database.js';

export type BranchMethod = 'template' | 'dump';

export interface BranchResult {
  method: BranchMethod;
  ms: number;
}

export interface BranchRequest {
  /** A superuser connection to the platform PostgreSQL (the control plane's). */
  sql: Sql;
  /** Its URL: host, port and superuser credentials for pg_dump and ownership fixes. */
  serverUrl: string;
  source: AppDatabaseCredentials;
  target: AppDatabaseCredentials;
}

export async function branchDatabase(request: BranchRequest): Promise<BranchResult> {
  const started = performance.now();
  const { sql, source, target } = request;
  await sql.unsafe(`CREATE ROLE ${ident(target.role)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD '${target.password}'`);
  let method: BranchMethod;
  try {
    method = await createCopy(sql, source, target);
    await sql.unsafe(`REVOKE ALL ON DATABASE ${ident(target.database)} FROM PUBLIC`);
    if (method === 'template') await giveObjectsTo(request);
    else await dumpAndRestore(request);
  } catch (err) {
    await dropBranch(sql, target);
    throw wrap(err, target.database);
  }
  return { method, ms: performance.now() - started };
}

/**
 * PostgreSQL waits up to 5 s for other sessions to leave a template before it gives up, so
 * the template is tried only when no session is connected; a session that arrives in between
 * still ends in the dump method.
 */
async function createCopy(sql: Sql, source: AppDatabaseCredentials, target: AppDatabaseCredentials): Promise<BranchMethod> {
  const [busy] = await sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ${source.database}`;
  if (busy!.n === 0) {
    try {
      await sql.unsafe(`CREATE DATABASE ${ident(target.database)} TEMPLATE ${ident(source.database)} OWNER ${ident(target.role)}`);
      return 'template';
    } catch (err) {
      if ((err as { code?: string }).code !== '55006') throw err;
    }
  }
  const [exists] = await sql`SELECT 1 AS found FROM pg_database WHERE datname = ${source.database}`;
  if (!exists) throw new DevflowError('not_found', `the parent database ${source.database} does not exist`);
  await sql.unsafe(`CREATE DATABASE ${ident(target.database)} OWNER ${ident(target.role)}`);
  return 'dump';
}

export async function dropBranch(sql: Sql, target: { database: string; role: string }): Promise<void> {
  await releaseReplicationSlots(sql, target.database);
  await sql.unsafe(`DROP DATABASE IF EXISTS ${ident(target.database)} WITH (FORCE)`);
  await sql.unsafe(`DROP ROLE IF EXISTS ${ident(target.role)}`);
}

/**
 * A template copy keeps the parent role as owner of every object. REASSIGN OWNED would also
 * hand over the parent's *database* (a shared object), so each object is altered instead.
 */
async function giveObjectsTo({ serverUrl, source, target }: BranchRequest): Promise<void> {
  assertGeneratedName(source.role);
  assertGeneratedName(target.role);
  const db = connect(withDatabase(serverUrl, target.database), 1);
  try {
    await db.unsafe(`
      DO $$
      DECLARE
        r record;
        src oid := (SELECT oid FROM pg_roles WHERE rolname = '${source.role}');
      BEGIN
        FOR r IN SELECT n.nspname FROM pg_namespace n WHERE n.nspowner = src LOOP
          EXECUTE format('ALTER SCHEMA %I OWNER TO %I', r.nspname, '${target.role}');
        END LOOP;
        FOR r IN SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relowner = src AND c.relkind IN ('r','p','v','m','f')
                 LOOP
          EXECUTE format('ALTER %s %I.%I OWNER TO %I',
            CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
            r.nspname, r.relname, '${target.role}');
        END LOOP;
        FOR r IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relowner = src AND c.relkind = 'S' LOOP
          EXECUTE format('ALTER SEQUENCE %I.%I OWNER TO %I', r.nspname, r.relname, '${target.role}');
        END LOOP;
        FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p WHERE p.proowner = src LOOP
          EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.fn, '${target.role}');
        END LOOP;
        FOR r IN SELECT t.oid::regtype AS ty FROM pg_type t WHERE t.typowner = src
                 AND t.typtype IN ('c','d','e','r') AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid) LOOP
          EXECUTE format('ALTER TYPE %s OWNER TO %I', r.ty, '${target.role}');
        END LOOP;
      END $$`);
  } finally {
    await db.end({ timeout: 2 });
  }
}

async function dumpAndRestore({ serverUrl, source, target }: BranchRequest): Promise<void> {
  const server = new URL(serverUrl);
  const common = ['--host', server.hostname, '--port', server.port || '5432'];
  const dump = execa(clientBinary('pg_dump'), [...common, '--username', decodeURIComponent(server.username),
    '--no-owner', '--no-privileges', '--dbname', source.database], { env: { PGPASSWORD: decodeURIComponent(server.password) }, buffer: { stdout: false } });
  const restore = execa(clientBinary('psql'), [...common, '--username', target.role, '--dbname', target.database,
    '--quiet', '--no-psqlrc', '--single-transaction', '--set', 'ON_ERROR_STOP=1'], { env: { PGPASSWORD: target.password }, stdin: 'pipe', stdout: 'ignore' });
  dump.stdout!.pipe(restore.stdin!);
  await Promise.all([dump, restore]);
}

/** The client tools of the PostgreSQL major the server runs, as Debian installs them. */
function clientBinary(name: 'pg_dump' | 'psql'): string {
  for (const major of ['15', '16', '17', '18']) {
    const candidate = `/usr/lib/postgresql/${major}/bin/${name}`;
    if (existsSync(candidate)) return candidate;
  }
  return name;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** The DO block inlines role names, so only names of the generated shape may reach it. */
function assertGeneratedName(name: string): void {
  if (!/^[a-z0-9_-]{1,63}$/.test(name)) throw new DevflowError('internal', `unexpected role name ${JSON.stringify(name)}`);
}

/** Names are generated by appDatabaseName (letters, digits, `_`, `-`); quoted anyway. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function wrap(err: unknown, database: string): DevflowError {
  const detail = (err as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join(' ') || String(err);
  return new DevflowError('internal', `could not branch the database into ${database}: ${detail}`, { cause: err });
}

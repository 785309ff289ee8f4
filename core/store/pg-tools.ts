/**
 * PostgreSQL's client programs (pg_dump, pg_restore, psql) and the ownership fix-up that the
 * copies of an app database share: preview branches (scheduler/previews/database-branch.ts) and
 * backup restores (addons/backups/). Passwords reach the programs through PGPASSWORD in their
 * environment, never their arguments (which any local user can read in the process list).
 */
import { existsSync } from 'node:fs';
import { DevflowError } from '../errors.js';
import { connect } from './database.js';

export type ClientProgram = 'pg_dump' | 'pg_restore' | 'psql' | 'pg_basebackup';

/** The client programs of the PostgreSQL major the server runs, as Debian installs them. */
export function clientBinary(name: ClientProgram): string {
  for (const major of ['15', '16', '17', '18']) {
    const candidate = `/usr/lib/postgresql/${major}/bin/${name}`;
    if (existsSync(candidate)) return candidate;
  }
  return name;
}

/** Host, port and superuser of a server URL as client-program arguments, and its password as env. */
export function clientConnection(serverUrl: string): { args: string[]; env: Record<string, string> } {
  const server = new URL(serverUrl);
  return {
    args: ['--host', server.hostname, '--port', server.port || '5432', '--username', decodeURIComponent(server.username)],
    env: { PGPASSWORD: decodeURIComponent(server.password) },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/**
 * Hands every object `from` owns in `database` to `to`: a copy made from another app's
 * database keeps that app's role as owner. REASSIGN OWNED would also hand over the source's
 * *database* (a shared object), so each object is altered instead.
 */
export async function giveObjectsTo(serverUrl: string, database: string, from: string, to: string): Promise<void> {
  assertGeneratedName(from);
  assertGeneratedName(to);
  const db = connect(withDatabase(serverUrl, database), 1);
  try {
    await db.unsafe(`
      DO $$
      DECLARE
        r record;
        src oid := (SELECT oid FROM pg_roles WHERE rolname = '${from}');
      BEGIN
        FOR r IN SELECT n.nspname FROM pg_namespace n WHERE n.nspowner = src LOOP
          EXECUTE format('ALTER SCHEMA %I OWNER TO %I', r.nspname, '${to}');
        END LOOP;
        FOR r IN SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relowner = src AND c.relkind IN ('r','p','v','m','f')
                 LOOP
          EXECUTE format('ALTER %s %I.%I OWNER TO %I',
            CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
            r.nspname, r.relname, '${to}');
        END LOOP;
        FOR r IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relowner = src AND c.relkind = 'S' LOOP
          EXECUTE format('ALTER SEQUENCE %I.%I OWNER TO %I', r.nspname, r.relname, '${to}');
        END LOOP;
        FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p WHERE p.proowner = src LOOP
          EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.fn, '${to}');
        END LOOP;
        FOR r IN SELECT t.oid::regtype AS ty FROM pg_type t WHERE t.typowner = src
                 AND t.typtype IN ('c','d','e','r') AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid) LOOP
          EXECUTE format('ALTER TYPE %s OWNER TO %I', r.ty, '${to}');
        END LOOP;
      END $$`);
  } finally {
    await db.end({ timeout: 2 });
  }
}

/** The DO block inlines role names, so only names of the generated shape may reach it. */
function assertGeneratedName(name: string): void {
  if (!/^[a-z0-9_-]{1,63}$/.test(name)) throw new DevflowError('internal', `unexpected role name ${JSON.stringify(name)}`);
}

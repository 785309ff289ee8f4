/**
 * Database-per-app on the platform PostgreSQL (DESIGN.md "app databases"; issue 4, DATABASE_URL).
 * Each app gets its own role (LOGIN only: no SUPERUSER, CREATEDB, CREATEROLE, REPLICATION,
 * BYPASSRLS) owning only its own database, with a random password stored sealed (core/secrets.ts).
 * CONNECT is revoked from PUBLIC on every app database, so one app's role cannot connect to
 * another app's database; the control-plane database is closed the same way.
 *
 * Role and database share one name, `app_<app>_<hash>`: the hash covers the control-plane
 * database too, so several DevFlows sharing one server (tests do) never collide on a name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DevflowError } from '../errors.js';
import type { AppName } from '../names.js';
import { openSecret, sealSecret, type SecretKey } from '../secrets.js';
import type { Sql } from './database.js';

export interface AppDatabaseCredentials {
  database: string;
  role: string;
  password: string;
}

/** Where apps reach the platform PostgreSQL (differs per runtime: see scheduler/database-env.ts). */
export interface DatabaseEndpoint {
  host: string;
  port: number;
}

/** At most 4 + 40 + 1 + 10 = 55 bytes, under PostgreSQL's 63-byte identifier limit. */
export function appDatabaseName(controlDatabase: string, app: AppName): string {
  const hash = createHash('sha256').update(`${controlDatabase}/${app}`).digest('hex').slice(0, 10);
  return `app_${app.slice(0, 40).replace(/-+$/, '')}_${hash}`;
}

export function appDatabaseUrl(credentials: AppDatabaseCredentials, endpoint: DatabaseEndpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  const user = encodeURIComponent(credentials.role);
  const password = encodeURIComponent(credentials.password);
  return `postgres://${user}:${password}@${host}:${endpoint.port}/${encodeURIComponent(credentials.database)}`;
}

/** Names come from appDatabaseName (letters, digits, `_`, `-`), quoted anyway. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Utility statements (CREATE ROLE … PASSWORD) take no bind parameters, so the password is
 * inlined: it is base64url, which has no quote or backslash.
 */
function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

interface Row {
  database: string;
  role: string;
  sealed_password: string;
}

export class AppDatabases {
  private controlDatabase: string | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly key: SecretKey,
  ) {}

  /** The app's credentials, or undefined before its first deploy. */
  async find(appId: number): Promise<AppDatabaseCredentials | undefined> {
    const rows = await this.sql<Row[]>`SELECT database, role, sealed_password FROM app_databases WHERE app_id = ${appId}`;
    const row = rows[0];
    return row && { database: row.database, role: row.role, password: openSecret(this.key, row.sealed_password) };
  }

  /**
   * Creates the role and database on first use and returns the credentials; later calls only
   * read them back. Each step checks what exists, so a run interrupted half-way completes on
   * the next deploy. Callers hold the app's lock (deploys and the reconciler do).
   */
  async ensure(app: { id: number; name: AppName }): Promise<AppDatabaseCredentials> {
    const existing = await this.find(app.id);
    if (existing) return existing;
    const name = appDatabaseName(await this.control(), app.name);
    const credentials = { database: name, role: name, password: newPassword() };
    try {
      await this.createRole(credentials);
      await this.createDatabase(credentials);
    } catch (err) {
      throw new DevflowError('internal', `could not create the database of ${app.name}: ${String(err)}`, { cause: err });
    }
    const sealed = sealSecret(this.key, credentials.password);
    await this.sql`
      INSERT INTO app_databases (app_id, database, role, sealed_password)
      VALUES (${app.id}, ${name}, ${name}, ${sealed})
      ON CONFLICT (app_id) DO UPDATE SET sealed_password = EXCLUDED.sealed_password`;
    return credentials;
  }

  /** Drops the app's database (closing its connections) and role; gone ones are fine. */
  async drop(app: AppName): Promise<void> {
    const name = appDatabaseName(await this.control(), app);
    await releaseReplicationSlots(this.sql, name);
    await this.sql.unsafe(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    await this.sql.unsafe(`DROP ROLE IF EXISTS ${ident(name)}`);
  }

  private async createRole(c: AppDatabaseCredentials): Promise<void> {
    const [found] = await this.sql`SELECT 1 FROM pg_roles WHERE rolname = ${c.role}`;
    const verb = found ? 'ALTER' : 'CREATE';
    await this.sql.unsafe(
      `${verb} ROLE ${ident(c.role)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS ` +
        `PASSWORD '${c.password}'`,
    );
  }

  private async createDatabase(c: AppDatabaseCredentials): Promise<void> {
    const [found] = await this.sql`SELECT 1 FROM pg_database WHERE datname = ${c.database}`;
    // CREATE DATABASE cannot run inside a transaction: each statement here runs on its own.
    if (!found) await this.sql.unsafe(`CREATE DATABASE ${ident(c.database)} OWNER ${ident(c.role)}`);
    await this.sql.unsafe(`REVOKE ALL ON DATABASE ${ident(c.database)} FROM PUBLIC`);
  }

  /**
   * The control-plane database holds every app's sealed secrets and tokens: app roles must
   * not even connect to it. Revoking PUBLIC's CONNECT is idempotent; DevFlow's own role owns
   * the database (or is a superuser), so it keeps connecting.
   */
  private async control(): Promise<string> {
    if (this.controlDatabase === undefined) {
      const [row] = await this.sql<{ name: string; owns: boolean }[]>`
        SELECT d.datname AS name, (r.rolsuper OR d.datdba = r.oid) AS owns
        FROM pg_database d, pg_roles r WHERE d.datname = current_database() AND r.rolname = current_user`;
      this.controlDatabase = row!.name;
      // Only a superuser or the owner keeps CONNECT after PUBLIC loses it: never lock DevFlow out.
      if (row!.owns) await this.sql.unsafe(`REVOKE CONNECT ON DATABASE ${ident(row!.name)} FROM PUBLIC`);
    }
    return this.controlDatabase;
  }
}

/**
 * DROP DATABASE refuses a database that an active logical replication slot reads (the backend's
 * Realtime keeps one per project with subscribers), even WITH (FORCE), and drops inactive ones
 * itself. So the slots' walsenders are ended first, and their exit awaited.
 */
export async function releaseReplicationSlots(sql: Sql, database: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const active = await sql`SELECT active_pid FROM pg_replication_slots WHERE database = ${database} AND active_pid IS NOT NULL`;
    if (active.length === 0) return;
    for (const row of active) await sql`SELECT pg_terminate_backend(${row.active_pid})`;
    await new Promise((r) => setTimeout(r, 50));
  }
}

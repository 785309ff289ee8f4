/**
 * Custom domains in the store (issue 5). Names arrive parsed (DomainName); a name belongs to
 * exactly one app, which the UNIQUE constraint enforces even when two requests race.
 */
import { ConflictError, NotFoundError } from '../errors.js';
import type { AppName, DomainName } from '../names.js';
import type { CertificateState } from './certificates.js';
import type { Sql } from './database.js';

export interface DomainRecord {
  name: DomainName;
  app: AppName;
  createdAt: Date;
  certificate: { state: CertificateState; reason: string | null; notAfter: Date | null } | null;
}

interface DomainRow {
  name: string;
  app: string;
  created_at: Date;
  state: CertificateState | null;
  reason: string | null;
  not_after: Date | null;
}

function toDomain(row: DomainRow): DomainRecord {
  return {
    name: row.name as DomainName,
    app: row.app as AppName,
    createdAt: row.created_at,
    certificate: row.state === null ? null : { state: row.state, reason: row.reason, notAfter: row.not_after },
  };
}

export async function addDomain(sql: Sql, appId: number, name: DomainName): Promise<void> {
  const inserted = await sql`
    INSERT INTO domains (app_id, name) VALUES (${appId}, ${name}) ON CONFLICT (name) DO NOTHING RETURNING id`;
  if (inserted.length > 0) return;
  const [owner] = await sql<{ app: string; app_id: number }[]>`
    SELECT a.name AS app, a.id AS app_id FROM domains d JOIN apps a ON a.id = d.app_id WHERE d.name = ${name}`;
  if (owner?.app_id === appId) throw new ConflictError(`${name} is already a domain of ${owner.app}`);
  throw new ConflictError(`${name} already belongs to another app${owner ? ` (${owner.app})` : ''}: remove it there first`);
}

export async function removeDomain(sql: Sql, appId: number, app: AppName, name: DomainName): Promise<void> {
  const rows = await sql`DELETE FROM domains WHERE app_id = ${appId} AND name = ${name} RETURNING id`;
  if (rows.length === 0) throw new NotFoundError(`${name} is not a domain of ${app}: see \`devflow domains ${app}\``);
}

const SELECT = (sql: Sql) => sql`
  SELECT d.name, a.name AS app, d.created_at, c.state, c.reason, c.not_after
  FROM domains d JOIN apps a ON a.id = d.app_id LEFT JOIN certificates c ON c.name = d.name`;

export async function listDomains(sql: Sql, appId: number): Promise<DomainRecord[]> {
  const rows = await sql<DomainRow[]>`${SELECT(sql)} WHERE d.app_id = ${appId} ORDER BY d.name`;
  return rows.map(toDomain);
}

export async function findDomain(sql: Sql, appId: number, name: DomainName): Promise<DomainRecord | undefined> {
  const rows = await sql<DomainRow[]>`${SELECT(sql)} WHERE d.app_id = ${appId} AND d.name = ${name}`;
  return rows[0] ? toDomain(rows[0]) : undefined;
}

/** Every app's custom domains, for the routing table. */
export async function domainsByApp(sql: Sql): Promise<Map<string, string[]>> {
  const rows = await sql<{ app: string; name: string }[]>`
    SELECT a.name AS app, d.name FROM domains d JOIN apps a ON a.id = d.app_id ORDER BY d.name`;
  const byApp = new Map<string, string[]>();
  for (const row of rows) byApp.set(row.app, [...(byApp.get(row.app) ?? []), row.name]);
  return byApp;
}

/** Apps whose plain-HTTP requests are redirected to HTTPS. */
export async function httpsRedirectApps(sql: Sql): Promise<Set<string>> {
  const rows = await sql<{ name: string }[]>`SELECT name FROM apps WHERE https_redirect`;
  return new Set(rows.map((r) => r.name));
}

export async function setHttpsRedirect(sql: Sql, appId: number, enabled: boolean): Promise<void> {
  await sql`UPDATE apps SET https_redirect = ${enabled} WHERE id = ${appId}`;
}

export async function getHttpsRedirect(sql: Sql, appId: number): Promise<boolean> {
  const [row] = await sql<{ https_redirect: boolean }[]>`SELECT https_redirect FROM apps WHERE id = ${appId}`;
  return row?.https_redirect ?? false;
}

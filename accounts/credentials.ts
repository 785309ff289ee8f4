/**
 * From a presented secret to an `Access`: an API token (`dfl_…`, core/store/tokens.ts: a
 * person's, a team's, or one of the instance's made before accounts existed) or a session's
 * access token (`dfa_…`, sessions.ts). Memberships are read on every request, so removing a
 * member or changing a role takes effect on their very next request.
 */
import type { Sql } from '../core/store/database.js';
import { hashToken, type Scope } from '../core/store/tokens.js';
import type { Access, Role } from './permissions.js';

interface Holder {
  person_id: number | null;
  email: string | null;
  operator: boolean | null;
  roles: [number, Role][];
}

interface TokenRow extends Holder {
  id: number;
  name: string;
  scopes: Scope[];
  team_id: number | null;
  app_ids: number[] | null;
  stale: boolean;
}

const ROLES_OF = (sql: Sql, personColumn: string) => sql.unsafe(
  `COALESCE((SELECT json_agg(json_build_array(m.team_id, m.role)) FROM memberships m WHERE m.person_id = ${personColumn}), '[]'::json)`,
);

export async function accessFromSecret(sql: Sql, secret: string): Promise<Access | undefined> {
  if (!secret || secret.length > 512) return undefined;
  return secret.startsWith('dfa_') ? accessFromSession(sql, secret) : accessFromToken(sql, secret);
}

async function accessFromToken(sql: Sql, secret: string): Promise<Access | undefined> {
  const [row] = await sql<TokenRow[]>`
    SELECT t.id, t.name, t.scopes, t.team_id, t.app_ids, t.person_id, p.email, p.operator,
           (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute') AS stale,
           ${ROLES_OF(sql, 't.person_id')} AS roles
    FROM tokens t LEFT JOIN people p ON p.id = t.person_id
    WHERE t.hash = ${hashToken(secret)} AND (t.expires_at IS NULL OR t.expires_at > now())`;
  if (!row) return undefined;
  // Noted at most once a minute, so that reads stay read-only.
  if (row.stale) void sql`UPDATE tokens SET last_used_at = now() WHERE id = ${row.id}`.catch(() => {});
  const base = { scopes: row.scopes, apps: row.app_ids, sessionId: null };
  if (row.team_id !== null) return { ...base, actor: `token:${row.name}`, personId: null, teams: new Map([[row.team_id, 'admin']]) };
  if (row.person_id === null) return { ...base, actor: row.name, personId: null, teams: 'all' };
  return { ...base, ...personPart(row) };
}

async function accessFromSession(sql: Sql, secret: string): Promise<Access | undefined> {
  const [row] = await sql<(Holder & { id: number })[]>`
    SELECT s.id, p.id AS person_id, p.email, p.operator, ${ROLES_OF(sql, 'p.id')} AS roles
    FROM sessions s JOIN people p ON p.id = s.person_id
    WHERE s.access_hash = ${hashToken(secret)} AND s.access_expires_at > now()`;
  if (!row) return undefined;
  return { scopes: ['admin'], apps: null, sessionId: Number(row.id), ...personPart(row) };
}

function personPart(row: Holder): Pick<Access, 'actor' | 'personId' | 'teams'> {
  return {
    actor: row.email!,
    personId: row.person_id,
    teams: row.operator ? 'all' : new Map(row.roles.map(([team, role]) => [team, role])),
  };
}

/**
 * Whether a credential may read what belongs to the whole instance (the router's traffic
 * metrics of every app): the admin token, the owner, tokens made before accounts. A team's
 * member may not, since the figures name other teams' apps.
 */
export async function instanceMayRead(sql: Sql, secret: string): Promise<boolean> {
  const access = await accessFromSecret(sql, secret);
  return access !== undefined && access.teams === 'all' && access.scopes.length > 0;
}

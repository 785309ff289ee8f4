/**
 * Scoped API tokens (issue 7): create (the secret is returned once, only its hash is kept),
 * list, revoke. Scopes nest: admin ⊇ deploy ⊇ read, so a token carries its one widest scope.
 */
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { Sql } from './database.js';
import { hashToken, newToken, type Scope, type TokenGrant } from './tokens.js';

export const SCOPES: readonly Scope[] = ['read', 'deploy', 'admin'];

const RANK: Record<Scope, number> = { read: 0, deploy: 1, admin: 2 };

/** Whether a grant may do what `required` allows. Undefined (no valid token) may do nothing. */
export function allows(grant: Pick<TokenGrant, 'scopes'> | undefined, required: Scope): boolean {
  if (!grant) return false;
  return grant.scopes.some((s) => (RANK as Record<string, number | undefined>)[s] !== undefined && RANK[s] >= RANK[required]);
}

export function parseScope(value: unknown): Scope {
  if (typeof value === 'string' && (SCOPES as readonly string[]).includes(value)) return value as Scope;
  throw new InvalidInputError(`scope "${String(value)}" is unknown: use read, deploy or admin`);
}

const DURATION = /^(\d{1,5})([mhdw])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** "30d", "12h", "90m", "2w" → milliseconds; "never" → null. */
export function parseExpiry(value: unknown): number | null {
  if (value === undefined || value === null || value === 'never') return null;
  const match = typeof value === 'string' ? DURATION.exec(value.trim()) : null;
  if (!match || Number(match[1]) === 0) {
    throw new InvalidInputError(`expiry "${String(value)}" is invalid: use a duration like 90m, 12h, 30d, 2w, or "never"`);
  }
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$/;

export function parseTokenName(value: unknown): string {
  if (typeof value === 'string' && TOKEN_NAME.test(value)) return value;
  throw new InvalidInputError('token name must be 1-63 letters, digits, spaces, dots, dashes or underscores');
}

export interface ApiToken {
  id: number;
  name: string;
  scope: Scope;
  /** Issue 19: the person or team the token belongs to (neither: the instance's), and the apps it is limited to. */
  person: string | null;
  team: string | null;
  apps: string[] | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

interface TokenRow {
  id: number;
  name: string;
  scopes: Scope[];
  person: string | null;
  team: string | null;
  apps: string[] | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
}

function widest(scopes: Scope[]): Scope {
  return [...scopes].sort((a, b) => RANK[b] - RANK[a])[0] ?? 'read';
}

function toToken(row: TokenRow): ApiToken {
  return { id: row.id, name: row.name, scope: widest(row.scopes), person: row.person, team: row.team, apps: row.apps, expiresAt: row.expires_at, lastUsedAt: row.last_used_at, createdAt: row.created_at };
}

/** Who owns a new token: a person, a team, or (both null) the instance; optionally limited to apps (ids). */
export interface TokenOwner {
  personId: number | null;
  teamId: number | null;
  appIds: number[] | null;
}

const INSTANCE: TokenOwner = { personId: null, teamId: null, appIds: null };

const TOKEN_COLUMNS = (sql: Sql) => sql`
  t.id, t.name, t.scopes, t.expires_at, t.last_used_at, t.created_at,
  (SELECT email FROM people WHERE id = t.person_id) AS person,
  (SELECT name FROM teams WHERE id = t.team_id) AS team,
  (SELECT array_agg(name ORDER BY name) FROM apps WHERE id = ANY(t.app_ids)) AS apps`;

export async function createApiToken(
  sql: Sql,
  input: { name: string; scope: Scope; expiresInMs: number | null; owner?: TokenOwner },
): Promise<{ token: ApiToken; secret: string }> {
  const secret = newToken();
  const owner = input.owner ?? INSTANCE;
  const expires = input.expiresInMs === null ? null : new Date(Date.now() + input.expiresInMs);
  const [inserted] = await sql<{ id: number }[]>`
    INSERT INTO tokens (name, hash, scopes, expires_at, person_id, team_id, app_ids)
    VALUES (${input.name}, ${hashToken(secret)}, ${[input.scope]}, ${expires}, ${owner.personId}, ${owner.teamId}, ${owner.appIds})
    RETURNING id`;
  const [row] = await sql<TokenRow[]>`SELECT ${TOKEN_COLUMNS(sql)} FROM tokens t WHERE t.id = ${inserted!.id}`;
  return { token: toToken(row!), secret };
}

/**
 * Which tokens a caller sees and may revoke: all (the instance), or their own and those of the
 * teams they administer.
 */
export type TokenVisibility = 'all' | { personId: number | null; teamIds: number[] };

function visibleTo(sql: Sql, who: TokenVisibility) {
  if (who === 'all') return sql`true`;
  return sql`(t.person_id = ${who.personId ?? -1} OR t.team_id = ANY(${who.teamIds}))`;
}

/** Tokens by id, newest first; expired ones are listed (marked by expiresAt) until revoked. */
export async function listApiTokens(sql: Sql, page: { limit: number; beforeId?: number; visibleTo?: TokenVisibility }): Promise<ApiToken[]> {
  const rows = await sql<TokenRow[]>`
    SELECT ${TOKEN_COLUMNS(sql)} FROM tokens t
    WHERE ${page.beforeId === undefined ? sql`true` : sql`t.id < ${page.beforeId}`} AND ${visibleTo(sql, page.visibleTo ?? 'all')}
    ORDER BY t.id DESC LIMIT ${page.limit}`;
  return rows.map(toToken);
}

export async function revokeApiToken(sql: Sql, id: number, who: TokenVisibility = 'all'): Promise<void> {
  const rows = await sql`DELETE FROM tokens t WHERE t.id = ${id} AND ${visibleTo(sql, who)} RETURNING id`;
  if (rows.length === 0) throw new NotFoundError(`token ${id} does not exist`);
}

/** Verifies a token and notes its use, at most once a minute so that reads stay read-only. */
export async function verifyAndTouch(sql: Sql, token: string): Promise<TokenGrant | undefined> {
  if (!token || token.length > 512) return undefined;
  const rows = await sql<{ id: number; name: string; scopes: Scope[]; stale: boolean }[]>`
    SELECT id, name, scopes, (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale
    FROM tokens WHERE hash = ${hashToken(token)} AND (expires_at IS NULL OR expires_at > now())`;
  const row = rows[0];
  if (!row) return undefined;
  if (row.stale) void sql`UPDATE tokens SET last_used_at = now() WHERE id = ${row.id}`.catch(() => {});
  return { name: row.name, scopes: row.scopes };
}

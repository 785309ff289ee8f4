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
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

interface TokenRow {
  id: number;
  name: string;
  scopes: Scope[];
  expires_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
}

function widest(scopes: Scope[]): Scope {
  return [...scopes].sort((a, b) => RANK[b] - RANK[a])[0] ?? 'read';
}

function toToken(row: TokenRow): ApiToken {
  return { id: row.id, name: row.name, scope: widest(row.scopes), expiresAt: row.expires_at, lastUsedAt: row.last_used_at, createdAt: row.created_at };
}

export async function createApiToken(
  sql: Sql,
  input: { name: string; scope: Scope; expiresInMs: number | null },
): Promise<{ token: ApiToken; secret: string }> {
  const secret = newToken();
  const expires = input.expiresInMs === null ? null : new Date(Date.now() + input.expiresInMs);
  const [row] = await sql<TokenRow[]>`
    INSERT INTO tokens (name, hash, scopes, expires_at) VALUES (${input.name}, ${hashToken(secret)}, ${[input.scope]}, ${expires})
    RETURNING id, name, scopes, expires_at, last_used_at, created_at`;
  return { token: toToken(row!), secret };
}

/** Tokens by id, newest first; expired ones are listed (marked by expiresAt) until revoked. */
export async function listApiTokens(sql: Sql, page: { limit: number; beforeId?: number }): Promise<ApiToken[]> {
  const rows = await sql<TokenRow[]>`
    SELECT id, name, scopes, expires_at, last_used_at, created_at FROM tokens
    WHERE ${page.beforeId === undefined ? sql`true` : sql`id < ${page.beforeId}`}
    ORDER BY id DESC LIMIT ${page.limit}`;
  return rows.map(toToken);
}

export async function revokeApiToken(sql: Sql, id: number): Promise<void> {
  const rows = await sql`DELETE FROM tokens WHERE id = ${id} RETURNING id`;
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

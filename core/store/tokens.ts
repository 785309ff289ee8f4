/**
 * API tokens. Only a SHA-256 hash of each token is stored; the admin token itself is written
 * once to DEVFLOW_HOME/admin-token (mode 0600) at first start.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Sql } from './database.js';

export type Scope = 'read' | 'deploy' | 'admin';

export interface TokenGrant {
  name: string;
  scopes: Scope[];
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return `dfl_${randomBytes(32).toString('base64url')}`;
}

/** Reads the admin token file, creating the token at first start; makes sure the store knows it. */
export async function ensureAdminToken(sql: Sql, file: string): Promise<string> {
  let token: string;
  try {
    token = (await fs.readFile(file, 'utf8')).trim();
  } catch {
    token = newToken();
    await fs.writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  }
  await sql`
    INSERT INTO tokens (name, hash, scopes) VALUES ('admin', ${hashToken(token)}, ${['admin']})
    ON CONFLICT (hash) DO NOTHING`;
  return token;
}

export async function verifyToken(sql: Sql, token: string): Promise<TokenGrant | undefined> {
  if (!token || token.length > 512) return undefined;
  const rows = await sql<{ name: string; scopes: Scope[] }[]>`
    SELECT name, scopes FROM tokens
    WHERE hash = ${hashToken(token)} AND (expires_at IS NULL OR expires_at > now())`;
  return rows[0] ? { name: rows[0].name, scopes: rows[0].scopes } : undefined;
}

/**
 * auth.sessions, auth.refresh_tokens and auth.mfa_amr_claims: a sign-in opens a session with
 * its first refresh token; refreshing rotates the token inside the session (refresh-rotation.ts
 * decides); signing out deletes sessions (their tokens go with them), by scope.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Sql } from '../../core/store/database.js';
import type { AmrEntry } from './access-token.js';
import { decideRefresh, type RefreshDecision } from './refresh-rotation.js';

export interface OpenedSession {
  sessionId: string;
  refreshToken: string;
}

export function newRefreshToken(): string {
  return randomBytes(18).toString('base64url');
}

export async function openSession(sql: Sql, userId: string, method: string, client: { ip?: string; userAgent?: string }): Promise<OpenedSession> {
  const sessionId = randomUUID();
  const refreshToken = newRefreshToken();
  const ip = client.ip && /^[0-9a-f.:]+$/i.test(client.ip) ? client.ip : null;
  await sql`INSERT INTO auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
    VALUES (${sessionId}, ${userId}, now(), now(), 'aal1', ${client.userAgent ?? null}, ${ip}::inet)`;
  await sql`INSERT INTO auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
    VALUES (${sessionId}, now(), now(), ${method}, ${randomUUID()})`;
  await insertRefreshToken(sql, userId, sessionId, refreshToken, null);
  return { sessionId, refreshToken };
}

async function insertRefreshToken(sql: Sql, userId: string, sessionId: string, token: string, parent: string | null): Promise<void> {
  await sql`INSERT INTO auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
    VALUES ('00000000-0000-0000-0000-000000000000', ${token}, ${userId}, false, now(), now(), ${parent}, ${sessionId})`;
}

export async function sessionAmr(sql: Sql, sessionId: string): Promise<AmrEntry[]> {
  const rows = await sql<{ method: string; at: Date }[]>`
    SELECT authentication_method AS method, created_at AS at FROM auth.mfa_amr_claims WHERE session_id = ${sessionId} ORDER BY created_at`;
  return rows.map((r) => ({ method: r.method, timestamp: Math.floor(r.at.getTime() / 1000) }));
}

export async function sessionExists(sql: Sql, sessionId: string, userId: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(sessionId)) return false;
  const [row] = await sql`SELECT 1 FROM auth.sessions WHERE id = ${sessionId} AND user_id = ${userId}`;
  return row !== undefined;
}

export type RefreshOutcome =
  | { kind: 'not-found' }
  | { kind: 'reused' }
  | { kind: 'issued'; userId: string; sessionId: string; refreshToken: string; decision: RefreshDecision };

/** One refresh, inside the caller's transaction (rows locked so concurrent refreshes queue). */
export async function refreshSession(tx: Sql, token: string, nowMs: number): Promise<RefreshOutcome> {
  const [row] = await tx<{ token: string; user_id: string; session_id: string | null; revoked: boolean; updated_at: Date }[]>`
    SELECT token, user_id, session_id, revoked, updated_at FROM auth.refresh_tokens WHERE token = ${token} FOR UPDATE`;
  if (!row || !row.session_id) return { kind: 'not-found' };
  const [active] = await tx<{ token: string; parent: string | null }[]>`
    SELECT token, parent FROM auth.refresh_tokens WHERE session_id = ${row.session_id} AND revoked = false
    ORDER BY id DESC LIMIT 1 FOR UPDATE`;
  const decision = decideRefresh({ token: row.token, revoked: row.revoked, updatedAtMs: row.updated_at.getTime(),
    activeTokenParent: active?.parent ?? null }, nowMs);
  if (decision === 'revoke-family') {
    await tx`UPDATE auth.refresh_tokens SET revoked = true, updated_at = now() WHERE session_id = ${row.session_id} AND revoked = false`;
    return { kind: 'reused' };
  }
  if (decision === 'return-active' && active) {
    return { kind: 'issued', userId: row.user_id, sessionId: row.session_id, refreshToken: active.token, decision };
  }
  const next = newRefreshToken();
  await tx`UPDATE auth.refresh_tokens SET revoked = true, updated_at = now() WHERE token = ${row.token}`;
  await insertRefreshToken(tx, row.user_id, row.session_id, next, row.token);
  await tx`UPDATE auth.sessions SET refreshed_at = now(), updated_at = now() WHERE id = ${row.session_id}`;
  return { kind: 'issued', userId: row.user_id, sessionId: row.session_id, refreshToken: next, decision };
}

export type LogoutScope = 'global' | 'local' | 'others';

export function parseLogoutScope(value: string | null): LogoutScope | undefined {
  if (value === null || value === '') return 'global';
  return value === 'global' || value === 'local' || value === 'others' ? value : undefined;
}

export async function endSessions(sql: Sql, userId: string, sessionId: string, scope: LogoutScope): Promise<void> {
  switch (scope) {
    case 'global':
      await sql`DELETE FROM auth.sessions WHERE user_id = ${userId}`;
      return;
    case 'local':
      await sql`DELETE FROM auth.sessions WHERE id = ${sessionId}`;
      return;
    case 'others':
      await sql`DELETE FROM auth.sessions WHERE user_id = ${userId} AND id <> ${sessionId}`;
      return;
    default: {
      const never: never = scope;
      throw new Error(`unknown scope ${String(never)}`);
    }
  }
}

/**
 * Sessions of people who signed in with a password: a short-lived access token (`dfa_…`,
 * 15 minutes) used like an API token, and a refresh token (`dfr_…`, 30 days) that trades for a
 * new pair once (rotation: a refresh token used twice fails). Only SHA-256 hashes are stored.
 * Sign-out ends one session; sign-out everywhere, and removal from a team, end them all.
 */
import { randomBytes } from 'node:crypto';
import { UnauthorizedError } from '../core/errors.js';
import type { Sql } from '../core/store/database.js';
import { hashToken } from '../core/store/tokens.js';

export const ACCESS_TTL_MS = 15 * 60_000;
export const REFRESH_TTL_MS = 30 * 86_400_000;

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

function pair(): { access: string; refresh: string; accessUntil: Date; refreshUntil: Date } {
  const now = Date.now();
  return {
    access: `dfa_${randomBytes(32).toString('base64url')}`,
    refresh: `dfr_${randomBytes(32).toString('base64url')}`,
    accessUntil: new Date(now + ACCESS_TTL_MS),
    refreshUntil: new Date(now + REFRESH_TTL_MS),
  };
}

export async function startSession(sql: Sql, personId: number): Promise<SessionTokens> {
  const p = pair();
  await sql`
    INSERT INTO sessions (person_id, access_hash, access_expires_at, refresh_hash, refresh_expires_at)
    VALUES (${personId}, ${hashToken(p.access)}, ${p.accessUntil}, ${hashToken(p.refresh)}, ${p.refreshUntil})`;
  return { accessToken: p.access, refreshToken: p.refresh, expiresAt: p.accessUntil };
}

export async function refreshSession(sql: Sql, refreshToken: unknown): Promise<SessionTokens> {
  if (typeof refreshToken !== 'string' || !refreshToken.startsWith('dfr_')) throw new UnauthorizedError('send {"refreshToken": "dfr_…"}');
  const p = pair();
  const rows = await sql`
    UPDATE sessions SET access_hash = ${hashToken(p.access)}, access_expires_at = ${p.accessUntil},
                        refresh_hash = ${hashToken(p.refresh)}, refresh_expires_at = ${p.refreshUntil}
    WHERE refresh_hash = ${hashToken(refreshToken)} AND refresh_expires_at > now() RETURNING id`;
  if (rows.length === 0) throw new UnauthorizedError('the refresh token is not valid, was used already or has expired: sign in again');
  return { accessToken: p.access, refreshToken: p.refresh, expiresAt: p.accessUntil };
}

export async function endSession(sql: Sql, sessionId: number): Promise<void> {
  await sql`DELETE FROM sessions WHERE id = ${sessionId}`;
}

/** Ends every session of a person; returns how many. */
export async function endAllSessions(sql: Sql, personId: number): Promise<number> {
  const rows = await sql`DELETE FROM sessions WHERE person_id = ${personId} RETURNING id`;
  return rows.length;
}

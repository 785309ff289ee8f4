/**
 * What a successful sign-in returns, in every flow (password, refresh, PKCE, verify, OAuth,
 * anonymous): Supabase's session object (access token, bearer type, expiry, refresh token and
 * the user). And the two guards of authenticated endpoints: a user's own token (with a live
 * session), and the service-role key for the admin API.
 */
import type { Sql } from '../../core/store/database.js';
import type { BackendProject, JwtClaims } from '../contract.js';
import { accessTokenClaims, signAccessToken, verifyAccessToken } from './access-token.js';
import { AuthApiError, authErrors, badJwt } from './errors.js';
import type { AuthRequest } from './http.js';
import { openSession, sessionAmr, sessionExists } from './sessions.js';
import { findUserById, isBanned, markSignedIn, tokenSubject, userResponse, type UserRow } from './users.js';

export interface SessionJson {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: Record<string, unknown>;
}

export async function sessionJson(sql: Sql, project: BackendProject, user: UserRow, sessionId: string, refreshToken: string): Promise<SessionJson> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const claims = accessTokenClaims({
    user: tokenSubject(user), sessionId, amr: await sessionAmr(sql, sessionId), issuer: `${project.url}/auth/v1`,
    expirySeconds: project.auth.jwtExpiry, nowSeconds,
  });
  return {
    access_token: await signAccessToken(claims, project.keys.jwtSecret),
    token_type: 'bearer',
    expires_in: project.auth.jwtExpiry,
    expires_at: nowSeconds + project.auth.jwtExpiry,
    refresh_token: refreshToken,
    user: await userResponse(sql, user),
  };
}

/** Opens a session for a user who just proved who they are by `method` (password, otp, oauth...). */
export async function signIn(sql: Sql, req: AuthRequest, user: UserRow, method: string): Promise<SessionJson> {
  if (isBanned(user)) throw authErrors.userBanned();
  const opened = await openSession(sql, user.id, method, { ip: req.ip, userAgent: headerValue(req, 'user-agent') });
  const signedIn = await markSignedIn(sql, user.id);
  return sessionJson(sql, req.ctx.project, signedIn, opened.sessionId, opened.refreshToken);
}

function headerValue(req: AuthRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The Bearer token of the request (GoTrue reads Authorization, never the apikey header). */
export function bearerToken(req: AuthRequest): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(headerValue(req, 'authorization') ?? '');
  return match?.[1];
}

export async function verifiedClaims(req: AuthRequest): Promise<JwtClaims> {
  const token = bearerToken(req);
  if (!token) throw authErrors.noAuthorization();
  return verifyAccessToken(token, req.ctx.project.keys.jwtSecret);
}

export interface SignedInUser {
  user: UserRow;
  sessionId: string;
  claims: JwtClaims;
}

export async function requireUser(req: AuthRequest): Promise<SignedInUser> {
  const claims = await verifiedClaims(req);
  if (!claims.sub) throw badJwt('invalid claim: missing sub claim');
  const sql = req.ctx.project.sql;
  const user = await findUserById(sql, claims.sub);
  if (!user) throw new AuthApiError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
  const sessionId = typeof claims.session_id === 'string' ? claims.session_id : '';
  if (!(await sessionExists(sql, sessionId, user.id))) throw authErrors.sessionNotFound();
  return { user, sessionId, claims };
}

const ADMIN_ROLES = new Set(['service_role', 'supabase_admin']);

export async function requireAdmin(req: AuthRequest): Promise<void> {
  const claims = await verifiedClaims(req);
  if (!ADMIN_ROLES.has(String(claims.role))) throw authErrors.notAdmin();
}

/**
 * POST /token: the three grants supabase-js uses. `password` (email and password),
 * `refresh_token` (rotation with reuse detection: refresh-rotation.ts) and `pkce` (an auth code
 * and its verifier). Supabase Auth API "token".
 */
import { enforceRateLimit, type AuthDeps } from '../deps.js';
import { AuthApiError, authErrors } from '../errors.js';
import { exchangeAuthCode } from '../flow-state.js';
import { bodyString, json, type AuthReply, type AuthRequest } from '../http.js';
import { BCRYPT_COST, hashPassword, verifyPassword } from '../passwords.js';
import { refreshSession } from '../sessions.js';
import { sessionJson, signIn } from '../sign-in.js';
import { findUserByEmail, findUserById, isBanned, normalizeEmail } from '../users.js';
import { inTransaction } from '../db.js';

export async function token(req: AuthRequest, deps: AuthDeps): Promise<AuthReply> {
  const grant = req.query.get('grant_type') ?? bodyString(req.body, 'grant_type');
  switch (grant) {
    case 'password': return passwordGrant(req, deps);
    case 'refresh_token': return refreshGrant(req);
    case 'pkce': return pkceGrant(req);
    default: throw new AuthApiError(400, 'validation_failed', 'unsupported_grant_type');
  }
}

// A hash to compare against when the address has no user, so both cases take as long.
let dummyHash: Promise<string> | undefined;

async function passwordGrant(req: AuthRequest, deps: AuthDeps): Promise<AuthReply> {
  const { project } = req.ctx;
  const password = bodyString(req.body, 'password') ?? '';
  const email = normalizeEmail(req.body.email);
  enforceRateLimit(deps, project, 'signInPerIp', req.ip);
  if (!email) throw authErrors.invalidCredentials();
  enforceRateLimit(deps, project, 'signInPerEmail', email);
  const user = await findUserByEmail(project.sql, email);
  dummyHash ??= hashPassword(`no-user-${BCRYPT_COST}`);
  const matches = await verifyPassword(password, user?.encrypted_password ?? (await dummyHash));
  if (!user || !matches) throw authErrors.invalidCredentials();
  if (!user.email_confirmed_at && !project.auth.mailerAutoconfirm) throw authErrors.emailNotConfirmed();
  return inTransaction(project.sql, async (tx) => json(await signIn(tx, req, user, 'password')));
}

async function refreshGrant(req: AuthRequest): Promise<AuthReply> {
  const { project } = req.ctx;
  const presented = bodyString(req.body, 'refresh_token');
  if (!presented) throw authErrors.refreshTokenNotFound();
  // The family is revoked in a committed transaction before the error goes out.
  const outcome = await inTransaction(project.sql, async (tx) => {
    const result = await refreshSession(tx, presented, Date.now());
    if (result.kind !== 'issued') return { result };
    const user = await findUserById(tx, result.userId);
    if (!user) return { result: { kind: 'not-found' as const } };
    if (isBanned(user)) throw authErrors.userBanned();
    return { result, session: await sessionJson(tx, project, user, result.sessionId, result.refreshToken) };
  });
  if (outcome.result.kind === 'reused') throw authErrors.refreshTokenAlreadyUsed();
  if (!('session' in outcome) || !outcome.session) throw authErrors.refreshTokenNotFound();
  return json(outcome.session);
}

async function pkceGrant(req: AuthRequest): Promise<AuthReply> {
  const { project } = req.ctx;
  const authCode = bodyString(req.body, 'auth_code');
  const verifier = bodyString(req.body, 'code_verifier');
  if (!authCode || !verifier) throw new AuthApiError(400, 'validation_failed', 'invalid request: both auth code and code verifier should be non-empty');
  return inTransaction(project.sql, async (tx) => {
    const flow = await exchangeAuthCode(tx, authCode, verifier);
    const user = await findUserById(tx, flow.userId);
    if (!user) throw authErrors.userNotFound();
    return json(await signIn(tx, req, user, flow.method));
  });
}

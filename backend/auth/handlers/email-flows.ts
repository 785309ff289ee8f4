/**
 * The email flows: POST /otp (a magic link and code, creating the user unless told not to),
 * POST /recover (a password-reset link; the same answer whether or not the address has an
 * account), POST /resend, and POST/GET /verify, which trade a code or a link's token for a
 * session (GET redirects to the app: tokens in the fragment, or `?code=` for PKCE).
 * Supabase Auth API "otp", "recover", "resend" and "verify".
 */
import type { Sql } from '../../../core/store/database.js';
import { enforceRateLimit, type AuthDeps } from '../deps.js';
import { applyEmailChange } from '../email-change.js';
import { AuthApiError, authErrors, validationFailed } from '../errors.js';
import { issueAuthCodeForUser, pkceParams } from '../flow-state.js';
import { bodyObject, bodyString, json, redirect, type AuthReply, type AuthRequest } from '../http.js';
import type { AuthMailKind } from '../mail.js';
import { FLOW_METHOD, sendLinkMail } from '../mail-links.js';
import { consumeOneTimeToken, type FoundToken, type OneTimeTokenType } from '../one-time-tokens.js';
import { allowedRedirect, withParams } from '../redirects.js';
import { signIn, type SessionJson } from '../sign-in.js';
import { confirmEmail, createEmailUser, findUserByEmail, findUserById, normalizeEmail, type UserRow } from '../users.js';
import { inTransaction } from '../db.js';

function requestedRedirect(req: AuthRequest): string {
  const { project } = req.ctx;
  const wanted = req.query.get('redirect_to') ?? bodyString(req.body, 'redirect_to');
  return allowedRedirect(wanted, project.auth.siteUrl, project.url);
}

function requireEmail(value: unknown): string {
  const email = normalizeEmail(value);
  if (!email) throw validationFailed('Unable to validate email address: invalid format');
  return email;
}

export async function otp(req: AuthRequest, deps: AuthDeps): Promise<AuthReply> {
  const { project } = req.ctx;
  if (req.body.email === undefined) throw new AuthApiError(400, 'phone_provider_disabled', 'Phone logins are disabled');
  enforceRateLimit(deps, project, 'otpPerIp', req.ip);
  const address = requireEmail(req.body.email);
  const createUser = req.body.create_user !== false;
  const pkce = pkceParams(req.body.code_challenge, req.body.code_challenge_method);
  const redirectTo = requestedRedirect(req);
  await inTransaction(project.sql, async (tx) => {
    let user = await findUserByEmail(tx, address);
    if (!user) {
      if (!createUser) throw new AuthApiError(422, 'otp_disabled', 'Signups not allowed for otp');
      if (project.auth.disableSignup) throw authErrors.signupDisabled();
      const data = bodyObject(req.body, 'data') ?? {};
      user = await createEmailUser(tx, { email: address, encryptedPassword: null, confirmed: project.auth.mailerAutoconfirm, appMetadata: {}, userMetadata: data });
    }
    const kind: AuthMailKind = user.email_confirmed_at ? 'magiclink' : 'signup';
    await sendLinkMail(tx, req, deps, { user, kind, address, redirectTo, pkce });
  });
  return json({});
}

export async function recover(req: AuthRequest, deps: AuthDeps): Promise<AuthReply> {
  const { project } = req.ctx;
  enforceRateLimit(deps, project, 'otpPerIp', req.ip);
  const address = requireEmail(req.body.email);
  const pkce = pkceParams(req.body.code_challenge, req.body.code_challenge_method);
  const redirectTo = requestedRedirect(req);
  await inTransaction(project.sql, async (tx) => {
    const user = await findUserByEmail(tx, address);
    if (user) await sendLinkMail(tx, req, deps, { user, kind: 'recovery', address, redirectTo, pkce });
  });
  return json({});
}

export async function resend(req: AuthRequest, deps: AuthDeps): Promise<AuthReply> {
  const { project } = req.ctx;
  enforceRateLimit(deps, project, 'otpPerIp', req.ip);
  const address = requireEmail(req.body.email);
  const type = bodyString(req.body, 'type');
  if (type !== 'signup' && type !== 'email_change') throw validationFailed('Missing one of these types: signup, email_change', 400);
  await inTransaction(project.sql, async (tx) => {
    if (type === 'signup') {
      const user = await findUserByEmail(tx, address);
      if (user && !user.email_confirmed_at) await sendLinkMail(tx, req, deps, { user, kind: 'signup', address, redirectTo: requestedRedirect(req) });
      return;
    }
    const [user] = await tx<UserRow[]>`SELECT * FROM auth.users WHERE email_change = ${address}`;
    if (user) await sendLinkMail(tx, req, deps, { user, kind: 'email_change', address, redirectTo: requestedRedirect(req) });
  });
  return json({});
}

type VerifyType = 'signup' | 'invite' | 'magiclink' | 'recovery' | 'email_change' | 'email';

const VERIFY_TOKENS: Record<VerifyType, OneTimeTokenType[]> = {
  signup: ['confirmation_token'],
  invite: ['confirmation_token'],
  magiclink: ['recovery_token'],
  recovery: ['recovery_token'],
  email: ['confirmation_token', 'recovery_token'],
  email_change: ['email_change_token_new'],
};

const AMR: Record<VerifyType, string> = {
  signup: 'otp', invite: 'invite', magiclink: 'otp', email: 'otp', recovery: 'recovery', email_change: 'email_change',
};

function parseVerifyType(value: unknown): VerifyType {
  if (typeof value === 'string' && value in VERIFY_TOKENS) return value as VerifyType;
  throw validationFailed(`Verify requires a verification type`);
}

/** The token's effect on the user: confirmation, or the new address of an email change. */
async function applyToken(tx: Sql, found: FoundToken): Promise<UserRow> {
  const user = await findUserById(tx, found.userId);
  if (!user) throw authErrors.otpExpired();
  if (found.type === 'email_change_token_new') return applyEmailChange(tx, user.id, found.relatesTo);
  return confirmEmail(tx, user.id);
}

export async function verifyPost(req: AuthRequest, deps: AuthDeps): Promise<AuthReply> {
  const { project } = req.ctx;
  enforceRateLimit(deps, project, 'signInPerIp', req.ip);
  const type = parseVerifyType(req.body.type);
  const hash = bodyString(req.body, 'token_hash');
  const code = bodyString(req.body, 'token');
  const by = hash ? { hash } : code && req.body.email !== undefined ? { address: requireEmail(req.body.email), otp: code } : undefined;
  if (!by) throw validationFailed('Verify requires either a token or a token hash');
  const session = await inTransaction(project.sql, async (tx) => {
    const found = await consumeOneTimeToken(tx, VERIFY_TOKENS[type], by);
    if (!found) throw authErrors.otpExpired();
    return signIn(tx, req, await applyToken(tx, found), AMR[type]);
  });
  return json(session);
}

function fragmentOf(session: SessionJson, type: VerifyType): Record<string, string> {
  return {
    access_token: session.access_token, expires_at: String(session.expires_at), expires_in: String(session.expires_in),
    refresh_token: session.refresh_token, token_type: 'bearer', type,
  };
}

export async function verifyGet(req: AuthRequest, deps: AuthDeps): Promise<AuthReply> {
  const { project } = req.ctx;
  const redirectTo = requestedRedirect(req);
  const token = req.query.get('token') ?? '';
  let type: VerifyType;
  try {
    enforceRateLimit(deps, project, 'signInPerIp', req.ip);
    type = parseVerifyType(req.query.get('type'));
  } catch (error) {
    return redirect(withParams(redirectTo, errorParams(error), 'fragment'));
  }
  const outcome = await inTransaction(project.sql, async (tx) => {
    const found = token ? await consumeOneTimeToken(tx, VERIFY_TOKENS[type], { hash: token }) : undefined;
    if (!found) return undefined;
    const user = await applyToken(tx, found);
    if (found.pkce) {
      const method = type === 'email' ? FLOW_METHOD.magiclink : FLOW_METHOD[type];
      return { code: await issueAuthCodeForUser(tx, user.id, method) };
    }
    return { session: await signIn(tx, req, user, AMR[type]) };
  });
  if (!outcome || (!outcome.session && !outcome.code)) {
    return redirect(withParams(redirectTo, { error: 'access_denied', error_code: 'otp_expired',
      error_description: 'Email link is invalid or has expired' }, 'fragment'));
  }
  if (outcome.code) return redirect(withParams(redirectTo, { code: outcome.code }, 'query'));
  return redirect(withParams(redirectTo, fragmentOf(outcome.session!, type), 'fragment'));
}

function errorParams(error: unknown): Record<string, string> {
  const e = error instanceof AuthApiError ? error : authErrors.otpExpired();
  return { error: e.status === 429 ? 'too_many_requests' : 'invalid_request', error_code: e.code, error_description: e.message };
}

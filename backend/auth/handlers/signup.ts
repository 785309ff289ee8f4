/**
 * POST /signup: a user with email and password (confirmed at once when the project has
 * mailer autoconfirm, else sent a confirmation mail), or, with neither email nor phone, an
 * anonymous user (when the project allows it). Supabase Auth API "signup".
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../../../core/store/database.js';
import { enforceRateLimit, type AuthDeps } from '../deps.js';
import { AuthApiError, authErrors, validationFailed } from '../errors.js';
import { pkceParams } from '../flow-state.js';
import { bodyObject, json, type AuthReply, type AuthRequest } from '../http.js';
import { sendLinkMail } from '../mail-links.js';
import { assertUsablePassword, hashPassword } from '../passwords.js';
import { allowedRedirect } from '../redirects.js';
import { signIn } from '../sign-in.js';
import { createEmailUser, findUserByEmail, insertUser, mergeMetadata, normalizeEmail, setUserFields, userResponse, type UserRow } from '../users.js';
import { inTransaction } from '../db.js';
import { returnedRow } from '../db.js';

export async function signup(req: AuthRequest, deps: AuthDeps): Promise<AuthReply> {
  const { project } = req.ctx;
  const { email, phone } = req.body;
  if (email === undefined && phone === undefined) return anonymousSignIn(req, deps);
  if (email === undefined) throw new AuthApiError(400, 'phone_provider_disabled', 'Phone signups are disabled');
  if (project.auth.disableSignup) throw authErrors.signupDisabled();
  enforceRateLimit(deps, project, 'signInPerIp', req.ip);
  const address = normalizeEmail(email);
  if (!address) throw validationFailed('Unable to validate email address: invalid format');
  if (req.body.password === undefined) throw validationFailed('Signup requires a valid password', 422);
  assertUsablePassword(req.body.password);
  const password = req.body.password;
  const data = bodyObject(req.body, 'data') ?? {};
  const pkce = pkceParams(req.body.code_challenge, req.body.code_challenge_method);
  const redirectTo = allowedRedirect(req.query.get('redirect_to'), project.auth.siteUrl, project.url);
  const encryptedPassword = await hashPassword(password);
  return inTransaction(project.sql, async (tx) => {
    const existing = await findUserByEmail(tx, address);
    if (existing?.email_confirmed_at) {
      if (project.auth.mailerAutoconfirm) throw authErrors.userAlreadyExists();
      // With confirmations on, GoTrue answers as if signing up, so the response does not tell
      // a stranger which addresses have accounts.
      return json(obfuscatedUser(address, data));
    }
    const user = existing
      ? await setUserFields(tx, existing.id, { encryptedPassword, userMetadata: mergeMetadata(existing.raw_user_meta_data, data) })
      : await createEmailUser(tx, { email: address, encryptedPassword, confirmed: project.auth.mailerAutoconfirm, appMetadata: {}, userMetadata: data });
    if (project.auth.mailerAutoconfirm) return json(await signIn(tx, req, user, 'password'));
    await sendLinkMail(tx, req, deps, { user, kind: 'signup', address, redirectTo, pkce });
    return json(await userResponse(tx, await reload(tx, user)));
  });
}

async function reload(sql: Sql, user: UserRow): Promise<UserRow> {
  const row = returnedRow(await sql<UserRow[]>`SELECT * FROM auth.users WHERE id = ${user.id}`);
  return row;
}

function obfuscatedUser(email: string, data: Record<string, unknown>): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    id: randomUUID(), aud: 'authenticated', role: 'authenticated', email, phone: '', confirmation_sent_at: now,
    app_metadata: { provider: 'email', providers: ['email'] }, user_metadata: data, identities: [],
    created_at: now, updated_at: now, is_anonymous: false,
  };
}

async function anonymousSignIn(req: AuthRequest, deps: AuthDeps): Promise<AuthReply> {
  const { project } = req.ctx;
  if (!project.auth.allowAnonymousSignIns) throw authErrors.anonymousDisabled();
  if (project.auth.disableSignup) throw authErrors.signupDisabled();
  enforceRateLimit(deps, project, 'signInPerIp', req.ip);
  const data = bodyObject(req.body, 'data') ?? {};
  return inTransaction(project.sql, async (tx) => {
    const user = await insertUser(tx, { email: null, encryptedPassword: null, confirmed: false, appMetadata: {}, userMetadata: data, isAnonymous: true });
    return json(await signIn(tx, req, user, 'anonymous'));
  });
}

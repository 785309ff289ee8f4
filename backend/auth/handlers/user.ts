/**
 * The signed-in user's own endpoints: GET /user, PUT /user (email, password, metadata) and
 * POST /logout with a scope (global: every session of the user, local: this one, others: all
 * but this one). Supabase Auth API "user" and "logout".
 */
import type { AuthDeps } from '../deps.js';
import { authErrors, validationFailed } from '../errors.js';
import { pkceParams } from '../flow-state.js';
import { bodyObject, json, noContent, type AuthReply, type AuthRequest } from '../http.js';
import { sendLinkMail } from '../mail-links.js';
import { assertUsablePassword, hashPassword, verifyPassword } from '../passwords.js';
import { allowedRedirect } from '../redirects.js';
import { endSessions, parseLogoutScope } from '../sessions.js';
import { requireUser } from '../sign-in.js';
import { applyEmailChange } from '../email-change.js';
import { findUserByEmail, mergeMetadata, normalizeEmail, setUserFields, userResponse } from '../users.js';
import { inTransaction } from '../db.js';

export async function getUser(req: AuthRequest): Promise<AuthReply> {
  const { user } = await requireUser(req);
  return json(await userResponse(req.ctx.project.sql, user));
}

export async function updateUser(req: AuthRequest, deps: AuthDeps): Promise<AuthReply> {
  const { user } = await requireUser(req);
  const { project } = req.ctx;
  const { password, email } = req.body;
  const data = bodyObject(req.body, 'data');
  let encryptedPassword: string | undefined;
  if (password !== undefined) {
    assertUsablePassword(password);
    if (await verifyPassword(password, user.encrypted_password)) throw authErrors.samePassword();
    encryptedPassword = await hashPassword(password);
  }
  const newEmail = email === undefined ? undefined : normalizeEmail(email);
  if (email !== undefined && !newEmail) throw validationFailed('Unable to validate email address: invalid format');
  const pkce = pkceParams(req.body.code_challenge, req.body.code_challenge_method);
  const redirectTo = allowedRedirect(req.query.get('redirect_to'), project.auth.siteUrl, project.url);
  return inTransaction(project.sql, async (tx) => {
    let updated = await setUserFields(tx, user.id, {
      encryptedPassword,
      userMetadata: data ? mergeMetadata(user.raw_user_meta_data, data) : undefined,
    });
    if (newEmail && newEmail !== user.email) {
      if (await findUserByEmail(tx, newEmail)) throw authErrors.emailExists();
      if (project.auth.mailerAutoconfirm) updated = await applyEmailChange(tx, user.id, newEmail);
      else {
        await sendLinkMail(tx, req, deps, { user: updated, kind: 'email_change', address: newEmail, redirectTo, pkce });
        updated = await setUserFields(tx, user.id, { emailChange: newEmail, emailChangeSentAt: new Date() });
      }
    }
    return json(await userResponse(tx, updated));
  });
}

export async function logout(req: AuthRequest): Promise<AuthReply> {
  const scope = parseLogoutScope(req.query.get('scope'));
  if (!scope) throw validationFailed('Unsupported logout scope, must be one of global, local, others');
  const { user, sessionId } = await requireUser(req);
  await endSessions(req.ctx.project.sql, user.id, sessionId, scope);
  return noContent();
}

/**
 * Sending a mail that carries a one-time token: the token is stored, a PKCE flow is opened when
 * the client started one, and the mail gets a link to `GET /auth/v1/verify` (which redirects to
 * the app) and the six-digit code (for `POST /verify`). Runs inside the caller's transaction,
 * so a mail that cannot be sent leaves no token behind.
 */
import type { Sql } from '../../core/store/database.js';
import { enforceRateLimit, type AuthDeps } from './deps.js';
import { createFlowState, type PkceParams } from './flow-state.js';
import type { AuthRequest } from './http.js';
import { authMail, type AuthMailKind } from './mail.js';
import { issueOneTimeToken, type IssuedToken, type OneTimeTokenType } from './one-time-tokens.js';
import type { UserRow } from './users.js';

const TOKEN_TYPE: Record<AuthMailKind, OneTimeTokenType> = {
  signup: 'confirmation_token',
  invite: 'confirmation_token',
  magiclink: 'recovery_token',
  recovery: 'recovery_token',
  email_change: 'email_change_token_new',
};

/** The authentication method a PKCE flow of this kind records (and the session's amr). */
export const FLOW_METHOD: Record<AuthMailKind, string> = {
  signup: 'email/signup',
  invite: 'invite',
  magiclink: 'magiclink',
  recovery: 'recovery',
  email_change: 'email_change',
};

export function verifyLink(projectUrl: string, hashedToken: string, kind: AuthMailKind, redirectTo: string): string {
  const query = new URLSearchParams({ token: hashedToken, type: kind, redirect_to: redirectTo });
  return `${projectUrl}/auth/v1/verify?${query.toString()}`;
}

export interface LinkFields {
  user: UserRow;
  kind: AuthMailKind;
  /** The address the mail goes to (the new one for an email change). */
  address: string;
  redirectTo: string;
  pkce?: PkceParams;
}

/** Stores the token (and flow) and returns what a link is made of, without sending a mail. */
export async function prepareLink(sql: Sql, projectUrl: string, fields: LinkFields): Promise<IssuedToken & { link: string }> {
  const issued = await issueOneTimeToken(sql, fields.user.id, TOKEN_TYPE[fields.kind], fields.address, fields.pkce !== undefined);
  if (fields.pkce) {
    await createFlowState(sql, fields.pkce, { userId: fields.user.id, providerType: 'email', method: FLOW_METHOD[fields.kind] });
  }
  return { ...issued, link: verifyLink(projectUrl, issued.hashedToken, fields.kind, fields.redirectTo) };
}

export async function sendLinkMail(sql: Sql, req: AuthRequest, deps: AuthDeps, fields: LinkFields): Promise<void> {
  const { project } = req.ctx;
  enforceRateLimit(deps, project, 'otpPerEmail', fields.address);
  const prepared = await prepareLink(sql, project.url, fields);
  await deps.mailer.send(authMail(fields.kind, { from: deps.mailFrom, to: fields.address, project: project.ref, link: prepared.link, otp: prepared.otp }));
}

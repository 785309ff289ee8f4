/**
 * Signing up and in with email and password (issue 19):
 *   POST /auth/signup  {email, password, invitation?} → 201 session (the first person is the owner)
 *   POST /auth/login   {email, password}              → session: {accessToken (15 min), refreshToken, expiresAt}
 *   POST /auth/refresh {refreshToken}                  → a new pair (the old refresh token is spent)
 *   POST /auth/logout  {everywhere?: true}             → ends this session, or all of the person's
 *   GET  /auth/me                                      → who the credential is, and their teams
 *   POST /auth/invitations/accept {code}               → joins the team an invitation names
 *   POST /auth/password-reset {email}                  → mails a one-time code (the same answer for any email)
 *   POST /auth/password-reset/confirm {email, code, password} → sets it, ends every session
 *   POST /auth/totp, /auth/totp/confirm, /auth/totp/disable   → two-factor.ts
 * A person with two-factor sign-in on sends `code` with the password; without it the answer is
 * 401 `totp_required`, so a client knows to ask for it. Failed sign-ins (a wrong password or
 * code) are limited per account and per client IP in PostgreSQL, shared by every DevFlow
 * process (accounts/sign-in-limits.ts); the answer says when to retry.
 */
import type express from 'express';
import type { Response } from 'express';
import {
  acceptInvitation, checkPassword, checkSecondFactor, createPerson, endAllSessions, endSession, finishPasswordReset, listTeams, parseEmail,
  parsePassword, recordFailedSignIn, refreshSession, signInBlocked, startPasswordReset, startSession, totpEnabled, type SignInLimits,
} from '../../accounts/index.js';
import { InvalidInputError, UnauthorizedError } from '../../core/errors.js';
import { accessOf } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { clientIp } from '../rate-limit.js';
import { route } from './handler.js';
import { personOf, registerTwoFactorRoutes } from './two-factor.js';

/** Failed sign-ins allowed per account and per IP within the window. */
export const SIGN_IN_LIMITS: SignInLimits = { perAccount: 5, perIp: 20, windowMs: 15 * 60_000 };

type Body = Record<string, unknown>;

export function registerAuthRoutes(v1: express.Router, deps: ApiDeps): void {
  registerTwoFactorRoutes(v1, deps);

  v1.post('/auth/signup', route(async (req, res) => {
    const body = (req.body ?? {}) as Body;
    const person = await createPerson(deps.sql, parseEmail(body.email), parsePassword(body.password));
    const joined = body.invitation ? await acceptInvitation(deps.sql, body.invitation, person) : undefined;
    const session = await startSession(deps.sql, person.id);
    res.status(201).json({ email: person.email, owner: person.first, joined: joined ?? null, ...session });
  }));

  v1.post('/auth/login', route(async (req, res) => {
    const body = (req.body ?? {}) as Body;
    const email = parseEmail(body.email);
    if (typeof body.password !== 'string') throw new InvalidInputError('send {"email": …, "password": …}');
    const ip = clientIp(req);
    const blocked = await signInBlocked(deps.sql, SIGN_IN_LIMITS, email, ip);
    if (blocked) return tooManyAttempts(res, blocked.seconds, blocked.who);
    const person = await checkPassword(deps.sql, email, body.password);
    if (!person) {
      await recordFailedSignIn(deps.sql, SIGN_IN_LIMITS, email, ip);
      throw new UnauthorizedError('wrong email or password');
    }
    if (await totpEnabled(deps.sql, person.id)) {
      if (body.code === undefined || body.code === '') {
        return sendError(res, 401, 'totp_required', 'two-factor sign-in is on for this account: send the 6-digit code from your authenticator app (or a recovery code) as "code"');
      }
      if (!(await checkSecondFactor(deps.sql, person.id, body.code))) {
        await recordFailedSignIn(deps.sql, SIGN_IN_LIMITS, email, ip);
        throw new UnauthorizedError('wrong two-factor code (or one already used): try the next code your app shows');
      }
    }
    res.json({ email: person.email, ...(await startSession(deps.sql, person.id)) });
  }));

  v1.post('/auth/refresh', route(async (req, res) => {
    res.json(await refreshSession(deps.sql, ((req.body ?? {}) as Body).refreshToken));
  }));

  v1.post('/auth/logout', route(async (req, res) => {
    const access = accessOf(res);
    const everywhere = ((req.body ?? {}) as Body).everywhere === true;
    if (access.personId === null) throw new InvalidInputError('this credential is an API token, not a session: revoke it with `devflow tokens:revoke`');
    if (everywhere) return void res.json({ ended: await endAllSessions(deps.sql, access.personId) });
    if (access.sessionId === null) throw new InvalidInputError('this is an API token, not a session: pass {"everywhere": true} to end all your sessions');
    await endSession(deps.sql, access.sessionId);
    res.json({ ended: 1 });
  }));

  v1.get('/auth/me', route(async (_req, res) => {
    const access = accessOf(res);
    res.json({ actor: access.actor, person: access.personId !== null, instance: access.teams === 'all', scopes: access.scopes, teams: await listTeams(deps.sql, access) });
  }));

  v1.post('/auth/password-reset', route(async (req, res) => {
    const email = parseEmail(((req.body ?? {}) as Body).email);
    // Counted as an attempt on the account, so the mails cannot be used to flood an inbox.
    const ip = clientIp(req);
    const blocked = await signInBlocked(deps.sql, SIGN_IN_LIMITS, email, ip);
    if (blocked) return tooManyAttempts(res, blocked.seconds, blocked.who);
    await recordFailedSignIn(deps.sql, SIGN_IN_LIMITS, email, ip);
    const mail = await startPasswordReset(deps.sql, email, `http://localhost:${deps.config.port}`);
    if (mail && deps.mailer) await deps.mailer.send(mail);
    res.status(202).json({ email, mailed: 'if this email has an account, a reset code was mailed to it' });
  }));

  v1.post('/auth/password-reset/confirm', route(async (req, res) => {
    const body = (req.body ?? {}) as Body;
    res.json(await finishPasswordReset(deps.sql, parseEmail(body.email), body.code, parsePassword(body.password)));
  }));

  v1.post('/auth/invitations/accept', route(async (req, res) => {
    const person = await personOf(deps, accessOf(res), 'to accept an invitation');
    res.json(await acceptInvitation(deps.sql, ((req.body ?? {}) as Body).code, person));
  }));
}

function tooManyAttempts(res: Response, wait: number, who: string): void {
  res.setHeader('retry-after', String(wait));
  const minutes = Math.ceil(wait / 60);
  sendError(res, 429, 'rate_limited', `too many failed sign-ins ${who}: retry in ${wait} s (about ${minutes} min)`);
}


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
 * Failed sign-ins are limited per account and per client IP, in this process's memory (a
 * restart forgets them); the answer says when to retry.
 */
import type express from 'express';
import type { Response } from 'express';
import {
  acceptInvitation, checkPassword, createPerson, endAllSessions, endSession, findPerson, finishPasswordReset, listTeams, parseEmail, parsePassword,
  refreshSession, startPasswordReset, startSession, type Access,
} from '../../accounts/index.js';
import { DevflowError, InvalidInputError, UnauthorizedError } from '../../core/errors.js';
import { accessOf } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { AuthFailureLimiter, clientIp } from '../rate-limit.js';
import { route } from './handler.js';

/** Failed sign-ins allowed per account and per IP within the window. */
export const SIGN_IN_LIMITS = { perAccount: 5, perIp: 20, windowMs: 15 * 60_000 };

type Body = Record<string, unknown>;

export function registerAuthRoutes(v1: express.Router, deps: ApiDeps): void {
  const accounts = new AuthFailureLimiter({ max: SIGN_IN_LIMITS.perAccount, windowMs: SIGN_IN_LIMITS.windowMs });
  const ips = new AuthFailureLimiter({ max: SIGN_IN_LIMITS.perIp, windowMs: SIGN_IN_LIMITS.windowMs });

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
    const wait = Math.max(accounts.retryAfterSeconds(email), ips.retryAfterSeconds(ip));
    if (wait > 0) return tooManyAttempts(res, wait, accounts.retryAfterSeconds(email) > 0 ? `for ${email}` : `from ${ip}`);
    const person = await checkPassword(deps.sql, email, body.password);
    if (!person) {
      accounts.recordFailure(email);
      ips.recordFailure(ip);
      throw new UnauthorizedError('wrong email or password');
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
    const wait = Math.max(accounts.retryAfterSeconds(email), ips.retryAfterSeconds(clientIp(req)));
    if (wait > 0) return tooManyAttempts(res, wait, `for ${email}`);
    accounts.recordFailure(email);
    const mail = await startPasswordReset(deps.sql, email, `http://localhost:${deps.config.port}`);
    if (mail && deps.mailer) await deps.mailer.send(mail);
    res.status(202).json({ email, mailed: 'if this email has an account, a reset code was mailed to it' });
  }));

  v1.post('/auth/password-reset/confirm', route(async (req, res) => {
    const body = (req.body ?? {}) as Body;
    res.json(await finishPasswordReset(deps.sql, parseEmail(body.email), body.code, parsePassword(body.password)));
  }));

  v1.post('/auth/invitations/accept', route(async (req, res) => {
    const person = await personOf(deps, accessOf(res));
    res.json(await acceptInvitation(deps.sql, ((req.body ?? {}) as Body).code, person));
  }));
}

async function personOf(deps: ApiDeps, access: Access): Promise<{ id: number; email: string }> {
  const person = access.personId === null ? undefined : await findPerson(deps.sql, access.actor);
  if (!person) throw new DevflowError('forbidden', 'sign in as a person (devflow login --email) to accept an invitation');
  return person;
}

function tooManyAttempts(res: Response, wait: number, who: string): void {
  res.setHeader('retry-after', String(wait));
  const minutes = Math.ceil(wait / 60);
  sendError(res, 429, 'rate_limited', `too many failed sign-ins ${who}: retry in ${wait} s (about ${minutes} min)`);
}


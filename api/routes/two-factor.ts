/**
 * Two-factor sign-in for the person signed in (issue 19; accounts/two-factor.ts, RFC 6238):
 *   POST /auth/totp                 → {secret, uri, qrSvg}: enrolment starts (the URI, and as a QR code)
 *   POST /auth/totp/confirm {code}  → {recoveryCodes}: on, once a code from the app matches
 *   POST /auth/totp/disable {code}  → off, with a current code or a recovery code
 *   GET  /auth/totp                 → {enabled}
 * Only a person's signed-in session may change the factor: an API token (even a person's, or the
 * admin token) is refused with a pointer to `devflow login`, so a token leaked from CI cannot
 * enrol its own authenticator.
 */
import type express from 'express';
import { confirmTotp, disableTotp, findPerson, startTotp, totpEnabled, type Access } from '../../accounts/index.js';
import { DevflowError } from '../../core/errors.js';
import { accessOf } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

type Body = Record<string, unknown>;

export function registerTwoFactorRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/auth/totp', route(async (_req, res) => {
    const person = await sessionPerson(deps, accessOf(res), 'to see two-factor sign-in');
    res.json({ enabled: await totpEnabled(deps.sql, person.id) });
  }));

  v1.post('/auth/totp', route(async (_req, res) => {
    const person = await sessionPerson(deps, accessOf(res), 'to turn on two-factor sign-in');
    const enrolment = await startTotp(deps.sql, person);
    // An SVG the dashboard shows as it is (qrcode, npm): no QR code library in the browser.
    res.status(201).json({ ...enrolment, qrSvg: await (await qrcode()).toString(enrolment.uri, { type: 'svg', margin: 2 }) });
  }));

  v1.post('/auth/totp/confirm', route(async (req, res) => {
    const person = await sessionPerson(deps, accessOf(res), 'to turn on two-factor sign-in');
    res.json({ enabled: true, recoveryCodes: await confirmTotp(deps.sql, person.id, ((req.body ?? {}) as Body).code) });
  }));

  v1.post('/auth/totp/disable', route(async (req, res) => {
    const person = await sessionPerson(deps, accessOf(res), 'to turn off two-factor sign-in');
    await disableTotp(deps.sql, person.id, ((req.body ?? {}) as Body).code);
    res.json({ enabled: false });
  }));
}

async function sessionPerson(deps: ApiDeps, access: Access, purpose: string): Promise<{ id: number; email: string }> {
  if (access.sessionId === null) throw new DevflowError('forbidden', `sign in as a person (devflow login --email) ${purpose}: an API token may not`);
  return personOf(deps, access, purpose);
}

/** The person a credential belongs to; an API token is refused, saying what `purpose` needs. */
export async function personOf(deps: ApiDeps, access: Access, purpose: string): Promise<{ id: number; email: string }> {
  const person = access.personId === null ? undefined : await findPerson(deps.sql, access.actor);
  if (!person) throw new DevflowError('forbidden', `sign in as a person (devflow login --email) ${purpose}`);
  return person;
}

/** Issue 23: the QR code package loads at the first enrolment, not with every `devflow up`. */
async function qrcode(): Promise<typeof import('qrcode')> {
  return (await import('qrcode')).default;
}

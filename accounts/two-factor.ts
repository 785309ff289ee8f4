/**
 * A person's TOTP second factor (issue 19; the algorithm in totp.ts, RFC 6238). Enrolment has
 * two steps so that a factor is never switched on before the person's app shows the right
 * codes: `startTotp` makes a secret and its otpauth URI (shown as a QR code and as text), and
 * `confirmTotp` switches it on with a code from the app, answering ten recovery codes once.
 * Sign-in then needs a code (`checkSecondFactor`): a TOTP code whose time step is newer than the
 * last one used (a code cannot be replayed), or a recovery code, spent on use.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, InvalidInputError, UnauthorizedError } from '../core/errors.js';
import type { Sql } from '../core/store/database.js';
import { hashToken } from '../core/store/tokens.js';
import { base32Decode, base32Encode, matchingStep, newTotpSecret, otpauthUri } from './totp.js';

export const RECOVERY_CODES = 10;

export interface TotpEnrolment {
  secret: string;
  uri: string;
}

/** Starts (or restarts) enrolment; refused while a confirmed factor is on. */
export async function startTotp(sql: Sql, person: { id: number; email: string }): Promise<TotpEnrolment> {
  const secret = newTotpSecret();
  const rows = await sql`
    INSERT INTO totp_factors (person_id, secret) VALUES (${person.id}, ${secret})
    ON CONFLICT (person_id) DO UPDATE SET secret = EXCLUDED.secret, last_step = 0, created_at = now()
      WHERE totp_factors.confirmed_at IS NULL
    RETURNING person_id`;
  if (rows.length === 0) throw new ConflictError('two-factor sign-in is already on: turn it off first (`devflow 2fa:disable`) to enrol again');
  return { secret, uri: otpauthUri(secret, person.email) };
}

/** Switches the factor on with a code from the app; returns the recovery codes (shown once). */
export async function confirmTotp(sql: Sql, personId: number, code: unknown, now = Date.now()): Promise<string[]> {
  const [factor] = await sql<{ secret: string; confirmed_at: Date | null }[]>`SELECT secret, confirmed_at FROM totp_factors WHERE person_id = ${personId}`;
  if (!factor) throw new InvalidInputError('start enrolment first: POST /auth/totp (`devflow 2fa:enable`)');
  if (factor.confirmed_at) throw new ConflictError('two-factor sign-in is already on');
  const step = matchingStep(base32Decode(factor.secret), codeText(code), now);
  if (step === undefined) throw new InvalidInputError('that code does not match: check the authenticator app shows DevFlow and the device clock is right');
  const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
  await sql.begin(async (tx) => {
    await tx`UPDATE totp_factors SET confirmed_at = now(), last_step = ${step} WHERE person_id = ${personId}`;
    await tx`DELETE FROM recovery_codes WHERE person_id = ${personId}`;
    for (const c of codes) await tx`INSERT INTO recovery_codes (person_id, code_hash) VALUES (${personId}, ${hashRecoveryCode(c)})`;
  });
  return codes;
}

export async function totpEnabled(sql: Sql, personId: number): Promise<boolean> {
  const [row] = await sql`SELECT 1 FROM totp_factors WHERE person_id = ${personId} AND confirmed_at IS NOT NULL`;
  return row !== undefined;
}

/** True when `code` is a current TOTP code not used before, or an unspent recovery code (then spent). */
export async function checkSecondFactor(sql: Sql, personId: number, code: unknown, now = Date.now()): Promise<boolean> {
  const text = codeText(code);
  if (/^\d{6}$/.test(text)) return useTotpCode(sql, personId, text, now);
  const rows = await sql`
    UPDATE recovery_codes SET used_at = now()
    WHERE person_id = ${personId} AND code_hash = ${hashRecoveryCode(text)} AND used_at IS NULL RETURNING person_id`;
  return rows.length === 1;
}

/** Turns the factor off; needs a code, so a stolen session alone cannot remove it. */
export async function disableTotp(sql: Sql, personId: number, code: unknown): Promise<void> {
  if (!(await totpEnabled(sql, personId))) throw new InvalidInputError('two-factor sign-in is not on');
  if (!(await checkSecondFactor(sql, personId, code))) throw new UnauthorizedError('wrong two-factor code');
  await sql.begin(async (tx) => {
    await tx`DELETE FROM totp_factors WHERE person_id = ${personId}`;
    await tx`DELETE FROM recovery_codes WHERE person_id = ${personId}`;
  });
}

async function useTotpCode(sql: Sql, personId: number, code: string, now: number): Promise<boolean> {
  const [factor] = await sql<{ secret: string }[]>`SELECT secret FROM totp_factors WHERE person_id = ${personId} AND confirmed_at IS NOT NULL`;
  if (!factor) return false;
  const step = matchingStep(base32Decode(factor.secret), code, now);
  if (step === undefined) return false;
  // Conditional on the stored step, so two sign-ins racing with one code cannot both pass.
  const rows = await sql`UPDATE totp_factors SET last_step = ${step} WHERE person_id = ${personId} AND last_step < ${step} RETURNING person_id`;
  return rows.length === 1;
}

function codeText(code: unknown): string {
  if (typeof code !== 'string' || code.trim() === '') throw new InvalidInputError('send {"code": "123456"}: the 6-digit code from the authenticator app, or a recovery code');
  return code.replace(/\s/g, '');
}

/** "abcde-fghij": 50 random bits in lower-case base32, easy to read off paper. */
function newRecoveryCode(): string {
  const text = base32Encode(randomBytes(7)).slice(0, 10).toLowerCase();
  return `${text.slice(0, 5)}-${text.slice(5)}`;
}

function hashRecoveryCode(code: string): string {
  return hashToken(code.toLowerCase().replace(/[\s-]/g, ''));
}

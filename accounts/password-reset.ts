/**
 * Password reset by email: a one-time code (1 hour) mailed to the person; spending it with a
 * new password sets the password and ends every session of theirs (whoever knew the old one
 * is signed out). Asking never says whether the email has an account.
 */
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { NotFoundError } from '../core/errors.js';
import type { Sql } from '../core/store/database.js';
import { hashToken } from '../core/store/tokens.js';
import type { InvitationMail } from './invitations.js';
import { BCRYPT_COST, findPerson } from './people.js';
import { endAllSessions } from './sessions.js';

export const RESET_TTL_MS = 60 * 60_000;

/** The mail to send, or undefined when no person has this email (the caller answers alike). */
export async function startPasswordReset(sql: Sql, email: string, api: string): Promise<InvitationMail | undefined> {
  const person = await findPerson(sql, email);
  if (!person) return undefined;
  const code = `dfp_${randomBytes(24).toString('base64url')}`;
  await sql`INSERT INTO password_resets (code_hash, person_id, expires_at) VALUES (${hashToken(code)}, ${person.id}, ${new Date(Date.now() + RESET_TTL_MS)})`;
  return {
    to: email,
    subject: 'Reset your DevFlow password',
    text: ['Someone (we hope you) asked to reset the password of this DevFlow account.', '', 'To choose a new one, run:', '',
      `  devflow password:reset --api ${api} --email ${email} --code ${code}`, '',
      'The code is valid for one hour. If you did not ask, ignore this mail.', ''].join('\n'),
  };
}

export async function finishPasswordReset(sql: Sql, email: string, code: unknown, password: string): Promise<{ sessionsEnded: number }> {
  const hash = await bcrypt.hash(password, BCRYPT_COST);
  return sql.begin(async (tx) => {
    const rows = await tx<{ person_id: number }[]>`
      UPDATE password_resets r SET used_at = now() FROM people p
      WHERE p.id = r.person_id AND p.email = ${email} AND r.code_hash = ${hashToken(String(code ?? ''))}
        AND r.used_at IS NULL AND r.expires_at > now()
      RETURNING r.person_id`;
    if (!rows[0]) throw new NotFoundError('this reset code is not valid for this email, was used already or has expired: ask for a new one');
    await tx`UPDATE people SET password_hash = ${hash} WHERE id = ${rows[0].person_id}`;
    return { sessionsEnded: await endAllSessions(tx as unknown as Sql, rows[0].person_id) };
  });
}

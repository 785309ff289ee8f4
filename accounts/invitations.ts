/**
 * Invitations by email: a one-time code (7 days) mailed to the invitee over SMTP
 * (DEVFLOW_SMTP_URL, or the embedded catcher: mail.ts). The invitee signs up with it, or, when
 * they already have an account, joins with it; either way they get the role it names.
 */
import { randomBytes } from 'node:crypto';
import { NotFoundError } from '../core/errors.js';
import type { Sql } from '../core/store/database.js';
import { hashToken } from '../core/store/tokens.js';
import type { Role } from './permissions.js';
import { addMember } from './teams.js';

export const INVITATION_TTL_MS = 7 * 86_400_000;

export async function createInvitation(
  sql: Sql, input: { team: number; email: string; role: Role; invitedBy: number | null },
): Promise<{ code: string; expiresAt: Date }> {
  const code = `dfi_${randomBytes(24).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  await sql`
    INSERT INTO invitations (team_id, email, role, code_hash, invited_by, expires_at)
    VALUES (${input.team}, ${input.email}, ${input.role}, ${hashToken(code)}, ${input.invitedBy}, ${expiresAt})`;
  return { code, expiresAt };
}

/** Spends an invitation for the person with that email: they become a member with its role. */
export async function acceptInvitation(sql: Sql, code: unknown, person: { id: number; email: string }): Promise<{ team: string; role: Role }> {
  const rows = await sql<{ team_id: number; team: string; role: Role }[]>`
    UPDATE invitations i SET accepted_at = now() FROM teams t
    WHERE t.id = i.team_id AND i.code_hash = ${hashToken(String(code ?? ''))} AND i.email = ${person.email}
      AND i.accepted_at IS NULL AND i.expires_at > now()
    RETURNING i.team_id, t.name AS team, i.role`;
  const invitation = rows[0];
  if (!invitation) throw new NotFoundError(`this invitation is not valid for ${person.email}, was used already or has expired: ask for a new one`);
  await addMember(sql, invitation.team_id, person.id, invitation.role);
  return { team: invitation.team, role: invitation.role };
}

export interface InvitationMail {
  to: string;
  subject: string;
  text: string;
}

export function invitationMail(input: { email: string; team: string; role: Role; inviter: string; code: string; api: string }): InvitationMail {
  return {
    to: input.email,
    subject: `You are invited to the team ${input.team} on DevFlow`,
    text: [
      `${input.inviter} invited you to the team "${input.team}" on DevFlow as ${input.role}.`, '',
      'To accept, open this link in your browser (DevFlow\'s dashboard):', '',
      `  ${input.api}/#/invitation/${input.code}`, '',
      'or run:', '',
      `  devflow signup --api ${input.api} --email ${input.email} --invitation ${input.code}`, '',
      'or, if you have an account already:', '',
      `  devflow teams:join ${input.code}`, '',
      'The invitation is valid for 7 days.', '',
    ].join('\n'),
  };
}

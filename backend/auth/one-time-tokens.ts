/**
 * One-time tokens (auth.one_time_tokens): the six-digit code and the link token in
 * confirmation, magic-link, recovery, invite and email-change mails. As in GoTrue, the stored
 * token_hash is the hex SHA-224 of the address followed by the code, so a link carries the hash
 * and a typed code is hashed again to find it; a flow started with PKCE stores "pkce_" + hash.
 * Tokens live an hour and are deleted when used.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { Sql } from '../../core/store/database.js';

export type OneTimeTokenType = 'confirmation_token' | 'recovery_token' | 'email_change_token_new';

export const ONE_TIME_TOKEN_TTL_S = 3600;

export function tokenHash(address: string, otp: string): string {
  return createHash('sha224').update(address + otp).digest('hex');
}

export function newOtp(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export interface IssuedToken {
  otp: string;
  /** What a link carries and the table stores. */
  hashedToken: string;
}

export async function issueOneTimeToken(sql: Sql, userId: string, type: OneTimeTokenType, address: string, pkce: boolean): Promise<IssuedToken> {
  const otp = newOtp();
  const hashedToken = (pkce ? 'pkce_' : '') + tokenHash(address, otp);
  await sql`
    INSERT INTO auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
    VALUES (${randomUUID()}, ${userId}, ${type}, ${hashedToken}, ${address}, now(), now())
    ON CONFLICT (user_id, token_type) DO UPDATE
      SET token_hash = excluded.token_hash, relates_to = excluded.relates_to, created_at = now(), updated_at = now()`;
  const sentColumn = type === 'recovery_token' ? 'recovery_sent_at' : type === 'confirmation_token' ? 'confirmation_sent_at' : 'email_change_sent_at';
  await sql`UPDATE auth.users SET ${sql(sentColumn)} = now() WHERE id = ${userId}`;
  return { otp, hashedToken };
}

export interface FoundToken {
  userId: string;
  type: OneTimeTokenType;
  relatesTo: string;
  pkce: boolean;
}

/**
 * Finds and deletes an unexpired token of one of the given types, by the hash a link carries
 * or by the address and the typed code. Undefined when none matches.
 */
export async function consumeOneTimeToken(sql: Sql, types: OneTimeTokenType[], by: { hash: string } | { address: string; otp: string }): Promise<FoundToken | undefined> {
  const hashes = 'hash' in by ? [by.hash] : [tokenHash(by.address, by.otp), 'pkce_' + tokenHash(by.address, by.otp)];
  const [row] = await sql<{ user_id: string; token_type: OneTimeTokenType; relates_to: string; token_hash: string }[]>`
    DELETE FROM auth.one_time_tokens
    WHERE token_hash = ANY(${hashes}) AND token_type = ANY(${types}::auth.one_time_token_type[])
      AND created_at > now() - make_interval(secs => ${ONE_TIME_TOKEN_TTL_S})
    RETURNING user_id, token_type, relates_to, token_hash`;
  if (!row) return undefined;
  return { userId: row.user_id, type: row.token_type, relatesTo: row.relates_to, pkce: row.token_hash.startsWith('pkce_') };
}

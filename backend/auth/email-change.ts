/**
 * Applying a confirmed email change: the new address on the user and its email identity; an
 * anonymous user who gains an address becomes a permanent email user, as in Supabase.
 */
import type { Sql } from '../../core/store/database.js';
import { insertIdentity, type UserRow } from './users.js';
import { returnedRow } from './db.js';

export async function applyEmailChange(sql: Sql, userId: string, email: string): Promise<UserRow> {
  const [identity] = await sql`SELECT 1 FROM auth.identities WHERE user_id = ${userId} AND provider = 'email'`;
  if (identity) {
    await sql`UPDATE auth.identities SET identity_data = identity_data || ${JSON.stringify({ email, email_verified: true })}::text::jsonb,
      updated_at = now() WHERE user_id = ${userId} AND provider = 'email'`;
  } else {
    await insertIdentity(sql, userId, 'email', userId, { sub: userId, email, email_verified: true, phone_verified: false });
  }
  const row = returnedRow(await sql<UserRow[]>`
    UPDATE auth.users SET email = ${email}, email_change = NULL, email_change_sent_at = NULL,
      email_confirmed_at = coalesce(email_confirmed_at, now()), is_anonymous = false, updated_at = now(),
      raw_app_meta_data = CASE WHEN coalesce(raw_app_meta_data ->> 'provider', '') = ''
        THEN coalesce(raw_app_meta_data, '{}') || '{"provider": "email", "providers": ["email"]}'::jsonb
        ELSE raw_app_meta_data END
    WHERE id = ${userId} RETURNING *`);
  return row;
}

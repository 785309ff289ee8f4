/**
 * auth.users and auth.identities: reading, writing, and the user object Supabase Auth returns
 * (`GET /user`, sign-in responses, the admin API). Emails are stored lowercased, as GoTrue does.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../../core/store/database.js';
import type { TokenSubject } from './access-token.js';
import { returnedRow } from './db.js';

export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  confirmation_sent_at: Date | null;
  recovery_sent_at: Date | null;
  email_change: string | null;
  email_change_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
  phone: string | null;
  phone_confirmed_at: Date | null;
  confirmed_at: Date | null;
  banned_until: Date | null;
  is_anonymous: boolean;
}

export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Record<string, unknown>;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date;
  updated_at: Date;
  email: string | null;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);

export function identityJson(identity: IdentityRow): Record<string, unknown> {
  return {
    identity_id: identity.id,
    id: identity.provider_id,
    user_id: identity.user_id,
    identity_data: identity.identity_data,
    provider: identity.provider,
    last_sign_in_at: iso(identity.last_sign_in_at),
    created_at: iso(identity.created_at),
    updated_at: iso(identity.updated_at),
    email: identity.email ?? undefined,
  };
}

/** The user object of Supabase Auth's API; unset times are left out, as GoTrue omits them. */
export function userJson(user: UserRow, identities: IdentityRow[]): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: user.id,
    aud: user.aud ?? 'authenticated',
    role: user.role ?? 'authenticated',
    email: user.email ?? '',
    email_confirmed_at: iso(user.email_confirmed_at),
    phone: user.phone ?? '',
    phone_confirmed_at: iso(user.phone_confirmed_at),
    confirmation_sent_at: iso(user.confirmation_sent_at),
    confirmed_at: iso(user.confirmed_at),
    recovery_sent_at: iso(user.recovery_sent_at),
    new_email: user.email_change || undefined,
    email_change_sent_at: iso(user.email_change_sent_at),
    invited_at: iso(user.invited_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: identities.map(identityJson),
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
    banned_until: iso(user.banned_until),
    is_anonymous: user.is_anonymous,
  };
  for (const key of Object.keys(json)) if (json[key] === undefined) delete json[key];
  return json;
}

export function tokenSubject(user: UserRow): TokenSubject {
  return {
    id: user.id,
    email: user.email,
    phone: user.phone,
    role: user.role,
    appMetadata: user.raw_app_meta_data ?? {},
    userMetadata: user.raw_user_meta_data ?? {},
    isAnonymous: user.is_anonymous,
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The email as stored (trimmed, lowercased), or undefined when it is not an address. */
export function normalizeEmail(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const email = value.trim().toLowerCase();
  return EMAIL.test(email) && email.length <= 255 ? email : undefined;
}

export async function findUserById(sql: Sql, id: string): Promise<UserRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await sql<UserRow[]>`SELECT * FROM auth.users WHERE id = ${id} AND deleted_at IS NULL`;
  return row;
}

export async function findUserByEmail(sql: Sql, email: string): Promise<UserRow | undefined> {
  const [row] = await sql<UserRow[]>`SELECT * FROM auth.users WHERE email = ${email} AND is_sso_user = false AND deleted_at IS NULL`;
  return row;
}

export async function identitiesOf(sql: Sql, userId: string): Promise<IdentityRow[]> {
  return sql<IdentityRow[]>`SELECT * FROM auth.identities WHERE user_id = ${userId} ORDER BY created_at, id`;
}

export async function userResponse(sql: Sql, user: UserRow): Promise<Record<string, unknown>> {
  return userJson(user, await identitiesOf(sql, user.id));
}

export interface NewUser {
  email: string | null;
  encryptedPassword: string | null;
  confirmed: boolean;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  isAnonymous?: boolean;
  role?: string;
  invited?: boolean;
}

export async function insertUser(sql: Sql, fields: NewUser): Promise<UserRow> {
  const id = randomUUID();
  const row = returnedRow(await sql<UserRow[]>`
    INSERT INTO auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, invited_at,
      raw_app_meta_data, raw_user_meta_data, is_super_admin, created_at, updated_at, is_anonymous)
    VALUES ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', ${fields.role ?? 'authenticated'}, ${fields.email},
      ${fields.encryptedPassword}, ${fields.confirmed ? new Date() : null}, ${fields.invited ? new Date() : null},
      ${JSON.stringify(fields.appMetadata)}::text::jsonb, ${JSON.stringify(fields.userMetadata)}::text::jsonb, false, now(), now(),
      ${fields.isAnonymous ?? false})
    RETURNING *`);
  return row;
}

export async function insertIdentity(sql: Sql, userId: string, provider: string, providerId: string, data: Record<string, unknown>): Promise<void> {
  await sql`
    INSERT INTO auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    VALUES (${providerId}, ${userId}, ${JSON.stringify(data)}::text::jsonb, ${provider}, now(), now(), now())`;
}

/** An email user with its `email` identity, as sign-up and the admin API create them. */
export async function createEmailUser(sql: Sql, fields: NewUser & { email: string }): Promise<UserRow> {
  const user = await insertUser(sql, { ...fields, appMetadata: { provider: 'email', providers: ['email'], ...fields.appMetadata } });
  const identityData = { sub: user.id, email: fields.email, email_verified: fields.confirmed, phone_verified: false };
  await insertIdentity(sql, user.id, 'email', user.id, identityData);
  const withMeta = returnedRow(await sql<UserRow[]>`
    UPDATE auth.users SET raw_user_meta_data = ${JSON.stringify(identityData)}::text::jsonb || raw_user_meta_data
    WHERE id = ${user.id} RETURNING *`);
  return withMeta;
}

/** Marks the email confirmed, in the user, its metadata and its email identity. */
export async function confirmEmail(sql: Sql, userId: string): Promise<UserRow> {
  await sql`UPDATE auth.identities SET identity_data = identity_data || '{"email_verified": true}'::jsonb, updated_at = now()
    WHERE user_id = ${userId} AND provider = 'email'`;
  const row = returnedRow(await sql<UserRow[]>`
    UPDATE auth.users SET email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now(),
      raw_user_meta_data = CASE WHEN raw_user_meta_data ? 'email_verified'
        THEN raw_user_meta_data || '{"email_verified": true}'::jsonb ELSE raw_user_meta_data END
    WHERE id = ${userId} RETURNING *`);
  return row;
}

export async function markSignedIn(sql: Sql, userId: string): Promise<UserRow> {
  const row = returnedRow(await sql<UserRow[]>`UPDATE auth.users SET last_sign_in_at = now(), updated_at = now() WHERE id = ${userId} RETURNING *`);
  return row;
}

/** Merges metadata as GoTrue does: given keys are set, keys given as null are removed. */
export function mergeMetadata(current: Record<string, unknown> | null, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

export async function setUserFields(sql: Sql, userId: string, fields: {
  email?: string; encryptedPassword?: string; userMetadata?: Record<string, unknown>; appMetadata?: Record<string, unknown>;
  role?: string; bannedUntil?: Date | null; emailChange?: string | null; emailChangeSentAt?: Date;
}): Promise<UserRow> {
  const set: Record<string, unknown> = { updated_at: new Date() };
  if (fields.email !== undefined) set.email = fields.email;
  if (fields.encryptedPassword !== undefined) set.encrypted_password = fields.encryptedPassword;
  if (fields.userMetadata !== undefined) set.raw_user_meta_data = fields.userMetadata;
  if (fields.appMetadata !== undefined) set.raw_app_meta_data = fields.appMetadata;
  if (fields.role !== undefined) set.role = fields.role;
  if (fields.bannedUntil !== undefined) set.banned_until = fields.bannedUntil;
  if (fields.emailChange !== undefined) set.email_change = fields.emailChange;
  if (fields.emailChangeSentAt !== undefined) set.email_change_sent_at = fields.emailChangeSentAt;
  const row = returnedRow(await sql<UserRow[]>`UPDATE auth.users SET ${sql(set as Record<string, never>)} WHERE id = ${userId} RETURNING *`);
  return row;
}

export function isBanned(user: UserRow, now = new Date()): boolean {
  return user.banned_until !== null && user.banned_until > now;
}

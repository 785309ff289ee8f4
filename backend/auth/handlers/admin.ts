/**
 * The admin API, for the service-role key only: list, create, read, update and delete users,
 * and generate links (the mail's link and code, returned instead of sent). Supabase Auth API
 * "admin/users" and "admin/generate_link".
 */
import type { AuthDeps } from '../deps.js';
import { AuthApiError, authErrors, validationFailed } from '../errors.js';
import { bodyObject, bodyString, json, type AuthReply, type AuthRequest } from '../http.js';
import type { AuthMailKind } from '../mail.js';
import { prepareLink } from '../mail-links.js';
import { assertUsablePassword, hashPassword } from '../passwords.js';
import { allowedRedirect } from '../redirects.js';
import { requireAdmin } from '../sign-in.js';
import {
  confirmEmail, createEmailUser, findUserByEmail, findUserById, identitiesOf, insertUser, mergeMetadata, normalizeEmail,
  setUserFields, userJson, userResponse, type UserRow,
} from '../users.js';
import { inTransaction } from '../db.js';
import { returnedRow } from '../db.js';

const MAX_PER_PAGE = 1000;

export function pageParams(query: URLSearchParams): { page: number; perPage: number } {
  const page = Math.max(1, Number.parseInt(query.get('page') ?? '', 10) || 1);
  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Number.parseInt(query.get('per_page') ?? '', 10) || 50));
  return { page, perPage };
}

/** GoTrue's pagination Link header: next (when there is one) and last. */
export function paginationLink(path: string, page: number, perPage: number, total: number): string {
  const last = Math.max(1, Math.ceil(total / perPage));
  const links: string[] = [];
  if (page < last) links.push(`<${path}?page=${page + 1}&per_page=${perPage}>; rel="next"`);
  links.push(`<${path}?page=${last}&per_page=${perPage}>; rel="last"`);
  return links.join(', ');
}

export async function listUsers(req: AuthRequest): Promise<AuthReply> {
  await requireAdmin(req);
  const sql = req.ctx.project.sql;
  const { page, perPage } = pageParams(req.query);
  const { total } = returnedRow(await sql<{ total: number }[]>`SELECT count(*)::int AS total FROM auth.users WHERE deleted_at IS NULL`);
  const users = await sql<UserRow[]>`SELECT * FROM auth.users WHERE deleted_at IS NULL
    ORDER BY created_at DESC, id LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`;
  const bodies = await Promise.all(users.map(async (u) => userJson(u, await identitiesOf(sql, u.id))));
  return json({ users: bodies, aud: 'authenticated' }, 200, {
    'X-Total-Count': String(total), Link: paginationLink('/admin/users', page, perPage, total),
  });
}

export async function createUser(req: AuthRequest): Promise<AuthReply> {
  await requireAdmin(req);
  const { project } = req.ctx;
  const body = req.body;
  if (body.phone !== undefined && body.email === undefined) throw new AuthApiError(400, 'phone_provider_disabled', 'Phone users are not supported');
  const email = body.email === undefined ? undefined : normalizeEmail(body.email);
  if (body.email !== undefined && !email) throw validationFailed('Unable to validate email address: invalid format');
  if (body.password !== undefined) assertUsablePassword(body.password);
  const encryptedPassword = typeof body.password === 'string' ? await hashPassword(body.password) : null;
  const userMetadata = bodyObject(body, 'user_metadata') ?? {};
  const appMetadata = bodyObject(body, 'app_metadata') ?? {};
  const role = bodyString(body, 'role');
  return inTransaction(project.sql, async (tx) => {
    if (email && (await findUserByEmail(tx, email))) throw authErrors.emailExists();
    const user = email
      ? await createEmailUser(tx, { email, encryptedPassword, confirmed: body.email_confirm === true, appMetadata, userMetadata, role })
      : await insertUser(tx, { email: null, encryptedPassword, confirmed: false, appMetadata, userMetadata, role });
    const banned = banUntil(body.ban_duration);
    const saved = banned === undefined ? user : await setUserFields(tx, user.id, { bannedUntil: banned });
    return json(await userResponse(tx, saved));
  });
}

async function targetUser(req: AuthRequest, id: string): Promise<UserRow> {
  const user = await findUserById(req.ctx.project.sql, id);
  if (!user) throw authErrors.userNotFound();
  return user;
}

export async function getUserById(req: AuthRequest, id: string): Promise<AuthReply> {
  await requireAdmin(req);
  const user = await targetUser(req, id);
  return json(await userResponse(req.ctx.project.sql, user));
}

/** "none" lifts a ban; a Go-style duration ("24h", "30m", "90s") bans until now plus it. */
export function banUntil(value: unknown, now = Date.now()): Date | null | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'none') return null;
  const match = typeof value === 'string' ? /^(\d+)(h|m|s)$/.exec(value) : null;
  if (!match) throw validationFailed('invalid format for ban duration: expected e.g. "24h", "30m" or "none"');
  const unit = { h: 3600_000, m: 60_000, s: 1000 }[match[2] as 'h' | 'm' | 's'];
  return new Date(now + Number(match[1]) * unit);
}

export async function updateUserById(req: AuthRequest, id: string): Promise<AuthReply> {
  await requireAdmin(req);
  const user = await targetUser(req, id);
  const body = req.body;
  const email = body.email === undefined ? undefined : normalizeEmail(body.email);
  if (body.email !== undefined && !email) throw validationFailed('Unable to validate email address: invalid format');
  if (body.password !== undefined) assertUsablePassword(body.password);
  const encryptedPassword = typeof body.password === 'string' ? await hashPassword(body.password) : undefined;
  const userMetadata = bodyObject(body, 'user_metadata');
  const appMetadata = bodyObject(body, 'app_metadata');
  return inTransaction(req.ctx.project.sql, async (tx) => {
    if (email && email !== user.email && (await findUserByEmail(tx, email))) throw authErrors.emailExists();
    let updated = await setUserFields(tx, user.id, {
      email: email && email !== user.email ? email : undefined,
      encryptedPassword,
      userMetadata: userMetadata ? mergeMetadata(user.raw_user_meta_data, userMetadata) : undefined,
      appMetadata: appMetadata ? mergeMetadata(user.raw_app_meta_data, appMetadata) : undefined,
      role: bodyString(body, 'role'),
      bannedUntil: banUntil(body.ban_duration),
    });
    if (body.email_confirm === true) updated = await confirmEmail(tx, user.id);
    return json(await userResponse(tx, updated));
  });
}

export async function deleteUserById(req: AuthRequest, id: string): Promise<AuthReply> {
  await requireAdmin(req);
  const user = await targetUser(req, id);
  const sql = req.ctx.project.sql;
  if (req.body.should_soft_delete === true) {
    await sql`UPDATE auth.users SET deleted_at = now(), email = NULL, encrypted_password = NULL, updated_at = now() WHERE id = ${user.id}`;
    await sql`DELETE FROM auth.sessions WHERE user_id = ${user.id}`;
  } else {
    await sql`DELETE FROM auth.users WHERE id = ${user.id}`;
  }
  return json({});
}

const LINK_KINDS: Record<string, AuthMailKind> = {
  signup: 'signup', invite: 'invite', magiclink: 'magiclink', recovery: 'recovery', email_change_new: 'email_change',
};

export async function generateLink(req: AuthRequest, _deps: AuthDeps): Promise<AuthReply> {
  await requireAdmin(req);
  const { project } = req.ctx;
  const kind = LINK_KINDS[bodyString(req.body, 'type') ?? ''];
  if (!kind) throw validationFailed('Invalid link type: one of signup, invite, magiclink, recovery, email_change_new');
  const email = normalizeEmail(req.body.email);
  if (!email) throw validationFailed('Unable to validate email address: invalid format');
  const redirectTo = allowedRedirect(req.query.get('redirect_to') ?? bodyString(req.body, 'redirect_to'), project.auth.siteUrl, project.url);
  return inTransaction(project.sql, async (tx) => {
    let user = await findUserByEmail(tx, email);
    if (kind === 'signup' || kind === 'invite') {
      if (user && kind === 'signup' && user.email_confirmed_at) throw authErrors.emailExists();
      if (user && kind === 'invite' && user.email_confirmed_at) throw authErrors.emailExists();
      if (!user) {
        const password = req.body.password;
        if (kind === 'signup') assertUsablePassword(password);
        user = await createEmailUser(tx, {
          email, encryptedPassword: typeof password === 'string' ? await hashPassword(password) : null, confirmed: false,
          appMetadata: {}, userMetadata: bodyObject(req.body, 'data') ?? {}, invited: kind === 'invite',
        });
      }
    }
    if (!user) throw authErrors.userNotFound();
    const address = kind === 'email_change' ? normalizeEmail(req.body.new_email) : email;
    if (!address) throw validationFailed('Unable to validate email address: invalid format');
    const prepared = await prepareLink(tx, project.url, { user, kind, address, redirectTo });
    if (kind === 'email_change') user = await setUserFields(tx, user.id, { emailChange: address, emailChangeSentAt: new Date() });
    const fresh = (await findUserById(tx, user.id)) ?? user;
    return json({
      ...(await userResponse(tx, fresh)),
      action_link: prepared.link, email_otp: prepared.otp, hashed_token: prepared.hashedToken,
      verification_type: kind, redirect_to: redirectTo,
    });
  });
}

/**
 * /api/v1/tokens (admin scope): list, create (the secret is in the response, once), revoke.
 * Issue 19: a token belongs to the person who makes it, or to a team (`"team": "acme"`, for CI;
 * needs the admin role there), and may be limited to apps (`"apps": ["shop"]`). A caller sees
 * and revokes their own tokens and those of the teams they administer; the instance sees all.
 */
import type express from 'express';
import { roleIn, scopeAllows, visibleTeams, type Access } from '../../accounts/index.js';
import { DevflowError, InvalidInputError, NotFoundError } from '../../core/errors.js';
import {
  createApiToken, listApiTokens, parseExpiry, parseScope, parseTokenName, revokeApiToken, type ApiToken, type TokenOwner, type TokenVisibility,
} from '../../core/store/api-tokens.js';
import type { Sql } from '../../core/store/database.js';
import { accessOf } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import { parseNumericCursor, parsePage, sendPage } from '../pagination.js';
import { parsePositiveInt, route } from './handler.js';

export function registerTokenRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/tokens', route(async (req, res) => {
    const page = parsePage(req.query);
    const rows = await listApiTokens(deps.sql, { limit: page.limit + 1, beforeId: parseNumericCursor(page.cursor), visibleTo: tokenVisibility(accessOf(res)) });
    sendPage(req, res, page, rows, (t) => String(t.id), tokenView);
  }));
  v1.post('/tokens', route(async (req, res) => {
    const body = (req.body ?? {}) as { name?: unknown; scope?: unknown; expiresIn?: unknown; team?: unknown; apps?: unknown };
    const access = accessOf(res);
    const scope = parseScope(body.scope ?? 'read');
    if (!scopeAllows(access.scopes, scope)) throw new DevflowError('forbidden', `a token cannot give more than its maker has: "${scope}" is above "${access.scopes.join(', ')}"`);
    const { token, secret } = await createApiToken(deps.sql, {
      name: parseTokenName(body.name),
      scope,
      expiresInMs: parseExpiry(body.expiresIn),
      owner: await tokenOwner(deps.sql, access, body.team, body.apps),
    });
    res.status(201).json({ ...tokenView(token), token: secret });
  }));
  v1.delete('/tokens/:id', route(async (req, res) => {
    const id = parsePositiveInt(req.params.id, 'token id');
    await revokeApiToken(deps.sql, id, tokenVisibility(accessOf(res)));
    res.json({ revoked: id });
  }));
}

function tokenVisibility(access: Access): TokenVisibility {
  if (access.teams === 'all') return 'all';
  const administered = [...access.teams.entries()].filter(([, role]) => role === 'owner' || role === 'admin').map(([id]) => id);
  return { personId: access.personId, teamIds: administered };
}

async function tokenOwner(sql: Sql, access: Access, team: unknown, apps: unknown): Promise<TokenOwner> {
  let teamId: number | null = null;
  if (team !== undefined && team !== null) {
    const [row] = await sql<{ id: number }[]>`SELECT id FROM teams WHERE name = ${String(team)}`;
    const role = row ? roleIn(access, row.id) : undefined;
    if (!row || !role) throw new NotFoundError(`team "${String(team)}" does not exist`);
    if (role !== 'owner' && role !== 'admin') throw new DevflowError('forbidden', `a team token needs the admin or owner role in "${String(team)}"; yours is ${role}`);
    teamId = row.id;
  }
  return { personId: teamId === null ? access.personId : null, teamId, appIds: await appIdsOf(sql, access, apps) };
}

/** App names → ids, each one the caller sees (another team's app is "missing"). */
async function appIdsOf(sql: Sql, access: Access, apps: unknown): Promise<number[] | null> {
  if (apps === undefined || apps === null) return access.apps === null ? null : [...access.apps];
  if (!Array.isArray(apps) || apps.length === 0 || !apps.every((a) => typeof a === 'string')) {
    throw new InvalidInputError('"apps" is a list of app names, e.g. ["shop"]');
  }
  const teams = visibleTeams(access);
  const rows = await sql<{ id: number; name: string }[]>`
    SELECT id, name FROM apps WHERE name = ANY(${apps as string[]}) AND ${teams === 'all' ? sql`true` : sql`team_id = ANY(${teams})`}`;
  const missing = (apps as string[]).filter((name) => !rows.some((r) => r.name === name && (access.apps === null || access.apps.includes(r.id))));
  if (missing.length > 0) throw new NotFoundError(`app "${missing[0]}" does not exist: create it with \`devflow apps:create ${missing[0]}\``);
  return rows.map((r) => r.id);
}

export function tokenView(t: ApiToken) {
  const expired = t.expiresAt !== null && t.expiresAt.getTime() <= Date.now();
  return {
    id: t.id, name: t.name, scope: t.scope, person: t.person, team: t.team, apps: t.apps,
    expiresAt: t.expiresAt, expired, lastUsedAt: t.lastUsedAt, createdAt: t.createdAt,
  };
}

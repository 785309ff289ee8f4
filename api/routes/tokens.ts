/** /api/v1/tokens (admin scope): list, create (the secret is in the response, once), revoke. */
import type express from 'express';
import { createApiToken, listApiTokens, parseExpiry, parseScope, parseTokenName, revokeApiToken, type ApiToken } from '../../core/store/api-tokens.js';
import type { ApiDeps } from '../deps.js';
import { parseNumericCursor, parsePage, sendPage } from '../pagination.js';
import { parsePositiveInt, route } from './handler.js';

export function registerTokenRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/tokens', route(async (req, res) => {
    const page = parsePage(req.query);
    const rows = await listApiTokens(deps.sql, { limit: page.limit + 1, beforeId: parseNumericCursor(page.cursor) });
    sendPage(req, res, page, rows, (t) => String(t.id), tokenView);
  }));
  v1.post('/tokens', route(async (req, res) => {
    const body = (req.body ?? {}) as { name?: unknown; scope?: unknown; expiresIn?: unknown };
    const { token, secret } = await createApiToken(deps.sql, {
      name: parseTokenName(body.name),
      scope: parseScope(body.scope ?? 'read'),
      expiresInMs: parseExpiry(body.expiresIn),
    });
    res.status(201).json({ ...tokenView(token), token: secret });
  }));
  v1.delete('/tokens/:id', route(async (req, res) => {
    const id = parsePositiveInt(req.params.id, 'token id');
    await revokeApiToken(deps.sql, id);
    res.json({ revoked: id });
  }));
}

export function tokenView(t: ApiToken) {
  const expired = t.expiresAt !== null && t.expiresAt.getTime() <= Date.now();
  return { id: t.id, name: t.name, scope: t.scope, expiresAt: t.expiresAt, expired, lastUsedAt: t.lastUsedAt, createdAt: t.createdAt };
}

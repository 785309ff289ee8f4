/**
 * Serves the dashboard at / (same origin as the API, so no CORS and no token in URLs). The
 * page is one HTML file and one script; views are addressed by the URL fragment (#/apps/hello),
 * so every other path is a 404. A strict Content-Security-Policy allows only this origin.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import express from 'express';
import type { DashboardBundle } from './bundle.js';

const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');

const HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

async function loadBundle(): Promise<DashboardBundle> {
  if (RUNNING_FROM_SOURCE) return (await import('./bundle.js')).buildDashboardBundle();
  const dir = path.join(import.meta.dirname, 'web');
  return { html: await fs.readFile(path.join(dir, 'index.html'), 'utf8'), js: await fs.readFile(path.join(dir, 'app.js'), 'utf8') };
}

export function dashboardAssets(): express.Router {
  let bundle: Promise<DashboardBundle> | undefined;
  const get = () => (bundle ??= loadBundle().catch((err: unknown) => {
    bundle = undefined;
    throw err;
  }));
  const router = express.Router();
  router.get(['/', '/index.html'], (_req, res, next) => {
    get().then((b) => res.set(HEADERS).set('cache-control', 'no-cache').type('html').send(b.html), next);
  });
  router.get('/assets/app.js', (_req, res, next) => {
    get().then((b) => res.set(HEADERS).set('cache-control', 'no-cache').type('text/javascript').send(b.js), next);
  });
  return router;
}

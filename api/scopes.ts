/**
 * Which token scope each API request needs, decided in one pure function so that the rule is
 * one table, not a decorator on every route. Scopes nest (admin ⊇ deploy ⊇ read):
 *
 * | request                                                    | scope  |
 * | ---------------------------------------------------------- | ------ |
 * | GET (lists, details, logs, events, releases, formation)    | read   |
 * | GET an app's metrics, its own metrics read back (/apps/{app}/metrics/custom…), traces, errors, alerts | read |
 * | GET config vars, database settings, preview config overrides, the preview webhook secret, the backend's keys and the telemetry ingest token (they hold secrets), the database studio's schema and SQL history | deploy |
 * | GET the backend's caught Auth mails (/apps/{app}/backend/mail: sign-in and confirmation links) | deploy |
 * | GET the git connection and its webhook secret (/apps/{app}/git…: the webhook secret, deliveries) | deploy |
 * | GET a pg:backups file (/apps/{app}/pg/backups/{b}/download: every row of the app's database) | deploy |
 * | POST/PATCH/PUT/DELETE under /apps/{app}/… (deploy, rollback, config, scale, domains, previews) | deploy |
 * | POST /apps, DELETE /apps/{app}, anything under /tokens     | admin  |
 * | POST /events/ticket (a short-lived read ticket for EventSource) | read |
 * | /auth/… (sign-out, who am I, accepting an invitation; sign-up and sign-in are public) | read |
 * | POST/PATCH/DELETE under /teams (teams, invitations, members), GET /audit | admin |
 * | /pg/… (the platform PostgreSQL's base backups, point-in-time recovery) | admin |
 *
 * `/projects/{id}/…` is an alias of `/apps/{app}/…` and needs the same scope.
 */
import type { Scope } from '../core/store/tokens.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `path` is relative to /api/v1, e.g. "/apps/hello/config". */
export function requiredScope(method: string, path: string): Scope {
  const segments = normalise(path);
  const verb = method.toUpperCase();
  if (segments[0] === 'tokens') return 'admin';
  if (segments[0] === 'apps' && segments.length === 1 && verb === 'POST') return 'admin';
  if (segments[0] === 'apps' && segments.length === 2 && verb === 'DELETE') return 'admin';
  if (segments[0] === 'events' && segments[1] === 'ticket') return 'read';
  if (segments[0] === 'auth') return 'read';
  if (segments[0] === 'audit') return 'admin';
  if (segments[0] === 'pg') return 'admin';
  if (segments[0] === 'teams' && !READ_METHODS.has(verb)) return 'admin';
  if (READ_METHODS.has(verb)) return holdsSecrets(segments) ? 'deploy' : 'read';
  return 'deploy';
}

function normalise(path: string): string[] {
  const segments = path.split('?')[0]!.split('/').filter(Boolean);
  if (segments[0] === 'projects') segments[0] = 'apps';
  return segments;
}

function holdsSecrets(segments: string[]): boolean {
  if (segments[0] !== 'apps') return false;
  return segments[2] === 'config' || segments[2] === 'backend' || segments[2] === 'database' || segments[2] === 'telemetry'
    || segments[2] === 'git' || (segments[2] === 'pg' && segments[5] === 'download') || (segments[2] === 'previews' && (segments[3] === 'config' || segments[3] === 'webhook'));
}

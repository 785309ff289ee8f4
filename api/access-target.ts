/**
 * What an API request is about, read from its path alone (like scopes.ts), so that every route,
 * including routes added later, is checked by the one gate in authenticate.ts:
 *
 * | path (relative to /api/v1)                  | target                               |
 * | ------------------------------------------- | ------------------------------------ |
 * | /apps/{app}/…, /projects/{app}/…            | that app (its team decides)          |
 * | /deployments/{id}/…                          | the deployment's app                 |
 * | /teams/{team}/…                              | that team                            |
 * | any path with ?app= (or ?team=)              | that app (or team)                   |
 * | /apps, /events, /tokens, /teams, /auth/…, /audit, /plans | the caller's own: routes filter lists |
 * | anything else                                | the instance: admin token, operator  |
 *
 * The last row makes a new top-level route safe by default: until it names an app or team, only
 * the instance reaches it.
 */
import type { Target } from '../accounts/index.js';

const OWN = new Set(['apps', 'events', 'tokens', 'teams', 'auth', 'audit', 'openapi.json', 'plans']);

export function accessTarget(path: string, query: Record<string, unknown>): Target {
  const segments = path.split('?')[0]!.split('/').filter(Boolean).map(decodeSegment);
  if (segments[0] === 'projects') segments[0] = 'apps';
  const [first, second] = segments;
  if (first === 'apps' && second) return { kind: 'app', name: second };
  if (first === 'deployments' && second) return /^\d{1,15}$/.test(second) ? { kind: 'deployment', id: Number(second) } : { kind: 'own' };
  if (first === 'teams' && second) return { kind: 'team', name: second };
  if (typeof query.app === 'string' && query.app) return { kind: 'app', name: query.app };
  if (typeof query.team === 'string' && query.team) return { kind: 'team', name: query.team };
  if (first !== undefined && OWN.has(first)) return { kind: 'own' };
  return { kind: 'instance' };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

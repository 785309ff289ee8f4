/**
 * Applies the permission table to a request's target: finds the team that owns the app,
 * deployment or team the request names, then `decide`s. A caller cannot tell "missing" from
 * "another team's" by the answer (see `missing`).
 */
import type { Sql } from '../core/store/database.js';
import { decide, roleIn, scopeAllows, type Access, type Action, type Decision, type Role } from './permissions.js';

/** What a request is about; api/ derives it from the path (api/access-target.ts). */
export type Target =
  | { kind: 'app'; name: string }
  | { kind: 'deployment'; id: number }
  | { kind: 'team'; name: string }
  /** Lists and the caller's own things: allowed by scope, the route filters by `visibleTeams`. */
  | { kind: 'own' }
  /** Anything that belongs to no team: only the instance (admin token, operator). */
  | { kind: 'instance' };

export interface Verdict {
  decision: Decision;
  /** The owning team's name, when the target has one (the audit log records it). */
  team?: string;
  app?: string;
  /** The caller's role in that team. */
  role?: Role;
}

export async function authorize(sql: Sql, access: Access, action: Action, target: Target): Promise<Verdict> {
  switch (target.kind) {
    case 'own':
      return { decision: scopeAllows(access.scopes, action === 'owner' ? 'admin' : action) ? 'allowed' : 'forbidden' };
    case 'instance':
      if (access.teams !== 'all') return { decision: 'not_found' };
      return { decision: scopeAllows(access.scopes, action === 'owner' ? 'admin' : action) ? 'allowed' : 'forbidden' };
    case 'app':
    case 'deployment': {
      const owner = await appOwner(sql, target);
      if (!owner) return missing(access, action);
      return { decision: decide(access, action, owner.team_id, owner.app_id), team: owner.team, app: owner.app, role: roleIn(access, owner.team_id) };
    }
    case 'team': {
      const [team] = await sql<{ id: number }[]>`SELECT id FROM teams WHERE name = ${target.name}`;
      if (!team) return missing(access, action);
      return { decision: decide(access, action, team.id), team: target.name, role: roleIn(access, team.id) };
    }
    default: {
      const never: never = target;
      throw new Error(`unknown target ${JSON.stringify(never)}`);
    }
  }
}

/**
 * A target the store does not know: the instance gets its scope checked and the route's own 404;
 * anyone else gets not_found at once, so a missing app and another team's answer alike even to a
 * credential whose scope is too small.
 */
function missing(access: Access, action: Action): Verdict {
  if (access.teams !== 'all') return { decision: 'not_found' };
  return { decision: scopeAllows(access.scopes, action === 'owner' ? 'admin' : action) ? 'allowed' : 'forbidden' };
}

interface Owner { app_id: number; app: string; team_id: number; team: string }

async function appOwner(sql: Sql, target: { kind: 'app'; name: string } | { kind: 'deployment'; id: number }): Promise<Owner | undefined> {
  const rows = target.kind === 'app'
    ? await sql<Owner[]>`SELECT a.id AS app_id, a.name AS app, a.team_id, t.name AS team FROM apps a JOIN teams t ON t.id = a.team_id WHERE a.name = ${target.name}`
    : await sql<Owner[]>`
        SELECT a.id AS app_id, a.name AS app, a.team_id, t.name AS team
        FROM deployments d JOIN apps a ON a.id = d.app_id JOIN teams t ON t.id = a.team_id WHERE d.id = ${target.id}`;
  return rows[0];
}

/** The team ids whose apps a caller sees in lists, events and logs; 'all' for the instance. */
export function visibleTeams(access: Access): 'all' | number[] {
  return access.teams === 'all' ? 'all' : [...access.teams.keys()];
}

/** Whether a caller may see an app by name (events): its team is theirs, within a token's app limit. */
export async function maySeeApp(sql: Sql, access: Access, app: string): Promise<boolean> {
  const owner = await appOwner(sql, { kind: 'app', name: app });
  if (!owner) return access.teams === 'all';
  return decide(access, 'read', owner.team_id, owner.app_id) !== 'not_found';
}

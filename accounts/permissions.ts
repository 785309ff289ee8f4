/**
 * The one permission table (issue 19): what each team role may do. Its columns are the token
 * scopes (read ⊂ deploy ⊂ admin, core/store/api-tokens.ts) plus `owner` (granting the owner
 * role), so a request's needed scope (api/scopes.ts) is also the action checked here. What a
 * caller may do is the role's row narrowed by the credential's scopes: a developer's read-only
 * token reads. The API, git pushes, the dashboard (which uses the API) and the event stream all
 * ask `decide`.
 */
import type { Scope } from '../core/store/tokens.js';

export const ROLES = ['owner', 'admin', 'developer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export type Action = Scope | 'owner';

export const PERMISSIONS: Record<Role, Record<Action, boolean>> = {
  //          read   deploy  admin  owner
  owner:     { read: true, deploy: true, admin: true, owner: true },
  admin:     { read: true, deploy: true, admin: true, owner: false },
  developer: { read: true, deploy: true, admin: false, owner: false },
  viewer:    { read: true, deploy: false, admin: false, owner: false },
};

const SCOPE_RANK: Record<Scope, number> = { read: 0, deploy: 1, admin: 2 };

/** The scope a credential needs for an action; `owner` is an admin-scope action. */
export function scopeFor(action: Action): Scope {
  return action === 'owner' ? 'admin' : action;
}

export function parseRole(value: unknown): Role | undefined {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value) ? (value as Role) : undefined;
}

/**
 * What a caller is, whatever credential it used. `teams: 'all'` is the instance: tokens made
 * before accounts existed (the admin token among them) and the operator (the first person).
 */
export interface Access {
  actor: string;
  personId: number | null;
  scopes: Scope[];
  teams: 'all' | ReadonlyMap<number, Role>;
  /** Apps the credential is limited to (ids); null: every app its teams hold. */
  apps: readonly number[] | null;
  /** The session, when the caller signed in with a password (sign-out ends it). */
  sessionId: number | null;
}

export type Decision = 'allowed' | 'not_found' | 'forbidden';

/**
 * The check itself. A team the caller is not in, or an app outside the token's limit, is
 * `not_found`: whether it exists is not the caller's business. Inside a team, a role or scope
 * too small is `forbidden`.
 */
export function decide(access: Access, action: Action, teamId: number, appId?: number): Decision {
  const role = roleIn(access, teamId);
  if (!role) return 'not_found';
  if (appId !== undefined && access.apps !== null && !access.apps.includes(appId)) return 'not_found';
  if (!PERMISSIONS[role][action]) return 'forbidden';
  return scopeAllows(access.scopes, scopeFor(action)) ? 'allowed' : 'forbidden';
}

export function roleIn(access: Access, teamId: number): Role | undefined {
  return access.teams === 'all' ? 'owner' : access.teams.get(teamId);
}

export function scopeAllows(scopes: readonly Scope[], needed: Scope): boolean {
  return scopes.some((s) => SCOPE_RANK[s] !== undefined && SCOPE_RANK[s] >= SCOPE_RANK[needed]);
}

/** The widest action set a caller has in a team, for `devflow access <app>`. */
export function actionsOf(role: Role, scopes: readonly Scope[]): Action[] {
  return (Object.keys(PERMISSIONS[role]) as Action[]).filter((a) => PERMISSIONS[role][a] && scopeAllows(scopes, scopeFor(a)));
}

/**
 * Teams and their members (issue 19). A team owns apps; a person is in a team with one role.
 * Removing a member ends all their sessions and revokes their tokens at once, so their next
 * request fails; their memberships are read on every request anyway (credentials.ts).
 */
import { ConflictError, DevflowError, InvalidInputError, NotFoundError } from '../core/errors.js';
import type { Sql } from '../core/store/database.js';
import { endAllSessions } from './sessions.js';
import { roleIn, type Access, type Role } from './permissions.js';

const TEAM_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;

export function parseTeamName(value: unknown): string {
  if (typeof value === 'string' && TEAM_NAME.test(value) && !value.includes('--')) return value;
  throw new InvalidInputError(`team name "${String(value)}" is invalid: use 2-40 lowercase letters, digits and single dashes (e.g. "acme")`);
}

export interface Team {
  id: number;
  name: string;
  /** The caller's role; 'owner' for the instance. */
  role: Role;
}

export async function createTeam(sql: Sql, name: string, ownerId: number | null): Promise<{ id: number; name: string }> {
  return sql.begin(async (tx) => {
    const rows = await tx<{ id: number; name: string }[]>`INSERT INTO teams (name) VALUES (${name}) ON CONFLICT (name) DO NOTHING RETURNING id, name`;
    if (rows.length === 0) throw new ConflictError(`team "${name}" already exists`);
    if (ownerId !== null) await tx`INSERT INTO memberships (team_id, person_id, role) VALUES (${rows[0]!.id}, ${ownerId}, 'owner')`;
    return rows[0]!;
  });
}

export async function listTeams(sql: Sql, access: Access): Promise<Team[]> {
  const rows = await sql<{ id: number; name: string }[]>`
    SELECT id, name FROM teams WHERE ${access.teams === 'all' ? sql`true` : sql`id = ANY(${[...access.teams.keys()]})`} ORDER BY name`;
  return rows.map((t) => ({ ...t, role: roleIn(access, t.id)! }));
}

export async function teamId(sql: Sql, name: string): Promise<number> {
  const [row] = await sql<{ id: number }[]>`SELECT id FROM teams WHERE name = ${name}`;
  if (!row) throw new NotFoundError(`team "${name}" does not exist`);
  return row.id;
}

export interface Member {
  email: string;
  role: Role;
  since: Date;
}

export async function listMembers(sql: Sql, team: number): Promise<Member[]> {
  const rows = await sql<{ email: string; role: Role; created_at: Date }[]>`
    SELECT p.email, m.role, m.created_at FROM memberships m JOIN people p ON p.id = m.person_id
    WHERE m.team_id = ${team} ORDER BY p.email`;
  return rows.map((r) => ({ email: r.email, role: r.role, since: r.created_at }));
}

export async function addMember(sql: Sql, team: number, personId: number, role: Role): Promise<void> {
  await sql`
    INSERT INTO memberships (team_id, person_id, role) VALUES (${team}, ${personId}, ${role})
    ON CONFLICT (team_id, person_id) DO UPDATE SET role = EXCLUDED.role`;
}

/**
 * Removes a person from a team and, at once, ends their sessions and revokes their own tokens
 * (a person's tokens reach every team they are in, so none is kept). A team keeps at least one owner.
 */
export async function removeMember(sql: Sql, team: number, email: string): Promise<{ sessions: number; tokens: number }> {
  return sql.begin(async (tx) => {
    const [member] = await tx<{ person_id: number; role: Role }[]>`
      SELECT m.person_id, m.role FROM memberships m JOIN people p ON p.id = m.person_id
      WHERE m.team_id = ${team} AND p.email = ${email} FOR UPDATE`;
    if (!member) throw new NotFoundError(`${email} is not a member of this team`);
    if (member.role === 'owner') {
      const [counted] = await tx<{ owners: number }[]>`SELECT count(*)::int AS owners FROM memberships WHERE team_id = ${team} AND role = 'owner'`;
      if (counted!.owners <= 1) throw new ConflictError(`${email} is the team's last owner: make someone else owner first`);
    }
    await tx`DELETE FROM memberships WHERE team_id = ${team} AND person_id = ${member.person_id}`;
    const sessions = await endAllSessions(tx as unknown as Sql, member.person_id);
    const tokens = await tx`DELETE FROM tokens WHERE person_id = ${member.person_id} RETURNING id`;
    return { sessions, tokens: tokens.length };
  });
}

/** Only an owner may make owners; admins manage the other roles. */
export function assertMayGrant(access: Access, team: number, role: Role): void {
  if (role === 'owner' && roleIn(access, team) !== 'owner') {
    throw new DevflowError('forbidden', 'only an owner of the team may make someone an owner');
  }
}

/** The team an app is created in: the one named, else the caller's only team, else `default` for the instance. */
export async function teamForNewApp(sql: Sql, access: Access, named: unknown): Promise<{ id: number; name: string }> {
  if (named !== undefined && named !== null) {
    const name = parseTeamName(named);
    const [row] = await sql<{ id: number; name: string }[]>`SELECT id, name FROM teams WHERE name = ${name}`;
    const role = row ? roleIn(access, row.id) : undefined;
    if (!row || !role) throw new NotFoundError(`team "${name}" does not exist`);
    if (role === 'viewer' || role === 'developer') throw new DevflowError('forbidden', `creating apps in team "${name}" needs the admin or owner role; yours is ${role}`);
    return row;
  }
  if (access.teams === 'all') return { id: 1, name: 'default' };
  const teams = [...access.teams.entries()].filter(([, role]) => role === 'owner' || role === 'admin');
  if (teams.length !== 1) throw new InvalidInputError('name the team the app belongs to: {"name": …, "team": "acme"} (devflow apps:create <name> --team <team>)');
  const [row] = await sql<{ id: number; name: string }[]>`SELECT id, name FROM teams WHERE id = ${teams[0]![0]}`;
  return row!;
}

export async function moveAppToTeam(sql: Sql, appId: number, team: number): Promise<void> {
  await sql`UPDATE apps SET team_id = ${team} WHERE id = ${appId} OR parent_id = ${appId}`;
}

/** Who can do what on an app: the members of its team, with their roles. */
export async function appTeam(sql: Sql, app: string): Promise<{ id: number; name: string }> {
  const [row] = await sql<{ id: number; name: string }[]>`SELECT t.id, t.name FROM apps a JOIN teams t ON t.id = a.team_id WHERE a.name = ${app}`;
  if (!row) throw new NotFoundError(`app "${app}" does not exist: create it with \`devflow apps:create ${app}\``);
  return row;
}

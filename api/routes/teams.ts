/**
 * Teams, members, invitations and who may do what on an app (issue 19):
 *   GET    /teams                          the caller's teams and their role in each
 *   POST   /teams {name}                   a new team; its maker is its owner
 *   GET    /teams/{team}/members
 *   POST   /teams/{team}/invitations {email, role}   mails an invitation (admin; owners invite owners)
 *   PATCH  /teams/{team}/members/{email} {role}
 *   DELETE /teams/{team}/members/{email}  removes them and ends their sessions and tokens at once
 *   GET    /apps/{app}/access              the app's team, its members' roles and what each may do
 * The gate (authenticate.ts) has already checked the caller's role in the team named by the path.
 */
import type express from 'express';
import {
  actionsOf, addMember, appTeam, assertMayGrant, createInvitation, createTeam, findPerson, invitationMail, listMembers, listTeams,
  parseEmail, parseRole, parseTeamName, removeMember, roleIn, teamId,
} from '../../accounts/index.js';
import { InvalidInputError, NotFoundError } from '../../core/errors.js';
import { accessOf } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

type Body = Record<string, unknown>;

function roleFrom(value: unknown) {
  const role = parseRole(value ?? 'developer');
  if (!role) throw new InvalidInputError(`role "${String(value)}" is unknown: use owner, admin, developer or viewer`);
  return role;
}

export function registerTeamRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/teams', route(async (_req, res) => {
    res.json(await listTeams(deps.sql, accessOf(res)));
  }));
  v1.post('/teams', route(async (req, res) => {
    const team = await createTeam(deps.sql, parseTeamName(((req.body ?? {}) as Body).name), accessOf(res).personId);
    res.status(201).json({ ...team, role: 'owner' });
  }));
  v1.get('/teams/:team/members', route(async (req, res) => {
    res.json(await listMembers(deps.sql, await teamId(deps.sql, String(req.params.team))));
  }));
  v1.post('/teams/:team/invitations', route(async (req, res) => {
    const body = (req.body ?? {}) as Body;
    const access = accessOf(res);
    const name = String(req.params.team);
    const team = await teamId(deps.sql, name);
    const email = parseEmail(body.email);
    const role = roleFrom(body.role);
    assertMayGrant(access, team, role);
    const { code, expiresAt } = await createInvitation(deps.sql, { team, email, role, invitedBy: access.personId });
    if (!deps.mailer) throw new NotFoundError('this DevFlow sends no mail');
    const api = `http://localhost:${deps.config.port}`;
    await deps.mailer.send(invitationMail({ email, team: name, role, inviter: access.actor, code, api }));
    res.status(201).json({ team: name, email, role, expiresAt, mailed: true });
  }));
  v1.patch('/teams/:team/members/:email', route(async (req, res) => {
    const access = accessOf(res);
    const team = await teamId(deps.sql, String(req.params.team));
    const role = roleFrom(((req.body ?? {}) as Body).role);
    assertMayGrant(access, team, role);
    const person = await findPerson(deps.sql, parseEmail(req.params.email));
    const members = await listMembers(deps.sql, team);
    if (!person || !members.some((m) => m.email === person.email)) throw new NotFoundError(`${String(req.params.email)} is not a member of this team`);
    await addMember(deps.sql, team, person.id, role);
    res.json({ email: person.email, role });
  }));
  v1.delete('/teams/:team/members/:email', route(async (req, res) => {
    const team = await teamId(deps.sql, String(req.params.team));
    const email = parseEmail(req.params.email);
    const members = await listMembers(deps.sql, team);
    if (members.find((m) => m.email === email)?.role === 'owner') assertMayGrant(accessOf(res), team, 'owner');
    const ended = await removeMember(deps.sql, team, email);
    res.json({ removed: email, sessionsEnded: ended.sessions, tokensRevoked: ended.tokens });
  }));
  v1.get('/apps/:app/access', route(async (req, res) => {
    const access = accessOf(res);
    const team = await appTeam(deps.sql, String(req.params.app));
    const members = await listMembers(deps.sql, team.id);
    const yours = roleIn(access, team.id)!;
    res.json({
      app: req.params.app, team: team.name,
      you: { actor: access.actor, role: yours, actions: actionsOf(yours, access.scopes) },
      members: members.map((m) => ({ email: m.email, role: m.role, actions: actionsOf(m.role, ['admin']) })),
    });
  }));
}

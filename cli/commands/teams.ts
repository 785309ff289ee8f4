/** teams, teams:create, teams:invite, teams:members, teams:remove, teams:join, access, audit (issue 19). */
import { createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

interface TeamView { name: string; role: string }
interface MemberView { email: string; role: string; since: string }
interface AccessView { app: string; team: string; you: { actor: string; role: string; actions: string[] }; members: { email: string; role: string; actions: string[] }[] }

const team = (name: string) => `/teams/${encodeURIComponent(name)}`;

export async function listTeams({ opts }: CommandInput<OutputOptions>): Promise<void> {
  const teams = await createClient(process.env).request<TeamView[]>('GET', '/teams');
  print(opts, teams, () => (teams.length === 0 ? 'No teams yet: create one with `devflow teams:create <name>`'
    : ['TEAM                 ROLE', ...teams.map((t) => `${t.name.padEnd(20)} ${t.role}`)].join('\n')));
}

export async function createTeam({ args: [name], opts }: CommandInput<OutputOptions>): Promise<void> {
  const created = await createClient(process.env).request<TeamView>('POST', '/teams', { name });
  print(opts, created, () => `Created team ${created.name}; you are its owner`);
}

export async function inviteMember({ args: [name, email], opts }: CommandInput<OutputOptions & { role: string }>): Promise<void> {
  const sent = await createClient(process.env).request<{ email: string; role: string; expiresAt: string }>('POST', `${team(name!)}/invitations`, { email, role: opts.role });
  print(opts, sent, () => `Invited ${sent.email} to ${name} as ${sent.role}: the invitation was mailed (valid until ${sent.expiresAt.slice(0, 10)})`);
}

export async function listMembers({ args: [name], opts }: CommandInput<OutputOptions>): Promise<void> {
  const members = await createClient(process.env).request<MemberView[]>('GET', `${team(name!)}/members`);
  print(opts, members, () => ['EMAIL                          ROLE', ...members.map((m) => `${m.email.padEnd(30)} ${m.role}`)].join('\n'));
}

export async function removeMember({ args: [name, email], opts }: CommandInput<OutputOptions>): Promise<void> {
  const removed = await createClient(process.env).request<{ sessionsEnded: number; tokensRevoked: number }>('DELETE', `${team(name!)}/members/${encodeURIComponent(email!)}`);
  print(opts, removed, () => `Removed ${email} from ${name}: ${removed.sessionsEnded} session(s) ended, ${removed.tokensRevoked} token(s) revoked`);
}

export async function joinTeam({ args: [code], opts }: CommandInput<OutputOptions>): Promise<void> {
  const joined = await createClient(process.env).request<{ team: string; role: string }>('POST', '/auth/invitations/accept', { code });
  print(opts, joined, () => `Joined ${joined.team} as ${joined.role}`);
}

export async function showAccess({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const view = await createClient(process.env).request<AccessView>('GET', `/apps/${encodeURIComponent(app)}/access`);
  print(opts, view, () => [
    `=== ${view.app} (team ${view.team})`, `You: ${view.you.actor}, ${view.you.role}: ${view.you.actions.join(', ')}`, '',
    'EMAIL                          ROLE        MAY', ...view.members.map((m) => `${m.email.padEnd(30)} ${m.role.padEnd(11)} ${m.actions.join(', ')}`),
  ].join('\n'));
}

interface AuditView { at: string; actor: string; team: string | null; app: string | null; action: string; target: string | null; sourceIp: string | null }

export async function showAudit({ opts }: CommandInput<OutputOptions & { team?: string; app?: string; since?: string; limit: string }>): Promise<void> {
  const query = new URLSearchParams({ limit: opts.limit });
  for (const key of ['team', 'app', 'since'] as const) if (opts[key]) query.set(key, opts[key]!);
  const rows = await createClient(process.env).request<AuditView[]>('GET', `/audit?${query}`);
  // --json: JSON lines, one row a line, for export.
  if (opts.json) return void process.stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  console.log(rows.length === 0 ? 'No changes recorded' : rows.map((r) =>
    `${r.at.slice(0, 19).replace('T', ' ')}  ${(r.team ?? '-').padEnd(10)} ${(r.app ?? '-').padEnd(14)} ${r.actor.padEnd(24)} ${r.action} ${r.target ?? ''}  (${r.sourceIp ?? '-'})`).join('\n'));
}

/** git:connect, git:disconnect, git:info, git:webhook: deploys from a git host (issue 22). */
import { readFile } from 'node:fs/promises';
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

interface Delivery { deliveryId: string; provider: string; event: string; ref: string | null; sha: string | null; result: string; detail: string; receivedAt: string }
interface GitInfo {
  url: string; branch: string; baseDir: string | null; provider: string | null; apiUrl: string | null; token: string | null;
  deployKey: string | null; webhookUrl: string; deliveries: Delivery[]; tags: string | null; branchDeploys: boolean; hostKeys: string[];
}

interface ConnectOptions extends OutputOptions {
  branch?: string; baseDir?: string; deployKey?: boolean; tokenFromEnv?: string; host?: string; apiUrl?: string;
  tags?: string; tagsOnly?: boolean; knownHosts?: string;
}

const path = (app: string, rest = '') => `/apps/${encodeURIComponent(app)}/git${rest}`;

export async function connectGit({ app, args: [url], opts }: CommandInput<ConnectOptions>): Promise<void> {
  // The token is read from a variable, never from the command line, so it stays out of shell history and `ps`.
  let token: string | undefined;
  if (opts.tokenFromEnv) {
    token = process.env[opts.tokenFromEnv];
    if (!token) throw new CliError(`${opts.tokenFromEnv} is not set: export the access token in it first`, 'usage');
  }
  let knownHosts: string | undefined;
  if (opts.knownHosts) {
    try {
      knownHosts = await readFile(opts.knownHosts, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${opts.knownHosts}: ${(err as Error).message}`, 'usage');
    }
  }
  const info = await createClient(process.env).request<GitInfo>('PUT', path(app), {
    url, branch: opts.branch, baseDir: opts.baseDir, deployKey: opts.deployKey, token, provider: opts.host, apiUrl: opts.apiUrl,
    tags: opts.tags, tagsOnly: opts.tagsOnly, knownHosts,
  });
  print(opts, info, () => [formatInfo(app, info), '', `Next: devflow git:webhook ${app} (the URL and secret for the repository's webhook)`].join('\n'));
}

export async function disconnectGit({ app }: CommandInput): Promise<void> {
  await createClient(process.env).request('DELETE', path(app));
  console.log(`Disconnected ${app} from its repository (the app keeps running)`);
}

export async function showGit({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const info = await createClient(process.env).request<GitInfo>('GET', path(app));
  print(opts, info, () => formatInfo(app, info));
}

export async function showGitWebhook({ app, opts }: CommandInput<OutputOptions & { rotate?: boolean }>): Promise<void> {
  const hook = await createClient(process.env).request<{ url: string; secret: string }>(opts.rotate ? 'POST' : 'GET', path(app, '/webhook'));
  print(opts, hook, () => [`Webhook URL: ${hook.url}`, `Secret:      ${hook.secret}`, '',
    'Set both on the repository: GitHub/Gitea: content type application/json, events "Pushes" and "Pull requests";',
    'GitLab: "Push events" and "Merge request events", the secret as the secret token.'].join('\n'));
}

export function formatInfo(app: string, info: GitInfo): string {
  const lines = [
    `=== ${app} ← ${info.url}`,
    `Branch:     ${info.branch}${info.baseDir ? ` (base dir ${info.baseDir}/)` : ''}${info.branchDeploys === false ? ' (does not deploy: only tags do)' : ''}`,
    `Tags:       ${info.tags ? `pushes of tags matching ${info.tags} deploy` : 'do not deploy'}`,
    `Host:       ${info.provider ?? 'not known yet (the first webhook tells)'}${info.apiUrl ? ` (API ${info.apiUrl})` : ''}`,
    `Token:      ${info.token ?? 'none'}`,
    `Deploy key: ${info.deployKey ?? 'none'}`,
    ...(/^https?:/.test(info.url) ? [] : [`Host keys:  ${info.hostKeys?.length ? info.hostKeys.join(', ') : 'none pinned yet (the first fetch pins them)'}`]),
    `Webhook:    ${info.webhookUrl}`,
  ];
  if (info.deployKey) lines.push('', 'Add the deploy key (read-only) to the repository: Settings → Deploy keys.');
  if (info.deliveries.length > 0) {
    lines.push('', 'Last deliveries:');
    for (const d of info.deliveries.slice(0, 10)) {
      lines.push(`  ${d.receivedAt.slice(0, 19).replace('T', ' ')}  ${d.event.padEnd(12)} ${(d.sha ?? '').slice(0, 7).padEnd(7)} ${d.result.padEnd(10)} ${d.detail}`);
    }
  }
  return lines.join('\n');
}

export async function deployFromGit({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const deployment = await createClient(process.env).request<{ id: number; sha: string }>('POST', path(app, '/deploy'));
  print(opts, deployment, () => `Deploying ${deployment.sha.slice(0, 7)} from the repository (deployment ${deployment.id}): devflow deployments:log ${deployment.id} --follow`);
}

/** apps, apps:create, apps:destroy, apps:info */
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

interface AppView {
  name: string;
  team?: string;
  url: string;
  gitUrl: string;
  currentRelease: number | null;
  createdAt: string;
}

const appPath = (app: string) => `/apps/${encodeURIComponent(app)}`;

export async function listApps({ opts }: CommandInput<OutputOptions>): Promise<void> {
  const apps = await createClient(process.env).request<AppView[]>('GET', '/apps');
  print(opts, apps, () => (apps.length === 0 ? 'No apps yet: create one with `devflow apps:create <name>`' :
    apps.map((a) => `${a.name.padEnd(24)} ${(a.team ?? '').padEnd(12)} ${a.currentRelease ? `v${a.currentRelease}` : '-'}\t${a.url}`).join('\n')));
}

export async function createApp({ args: [name], opts }: CommandInput<OutputOptions & { team?: string }>): Promise<void> {
  const client = createClient(process.env);
  const app = await client.request<AppView>('POST', '/apps', { name, ...(opts.team ? { team: opts.team } : {}) });
  const remote = gitRemote(client.base, app.name);
  print(opts, { ...app, gitRemote: remote }, () =>
    [`Created ${app.name}`, `  URL:        ${app.url}`, `  Git remote: ${remote}`, '',
      `  git remote add devflow ${remote}`, '  git push devflow main'].join('\n'));
}

export async function showApp({ app: name, opts }: CommandInput<OutputOptions>): Promise<void> {
  const client = createClient(process.env);
  const app = await client.request<AppView>('GET', appPath(name));
  print(opts, app, () => [`=== ${app.name}`, `URL:      ${app.url}`, `Git:      ${gitRemote(client.base, app.name)}`,
    `Release:  ${app.currentRelease ? `v${app.currentRelease}` : 'none yet'}`].join('\n'));
}

export async function destroyApp({ app: name, opts }: CommandInput<{ confirm?: string }>): Promise<void> {
  if (opts.confirm !== name) {
    throw new CliError(`this deletes ${name} and everything it runs; repeat the name to confirm: devflow apps:destroy ${name} --confirm ${name}`, 'usage');
  }
  await createClient(process.env).request('DELETE', appPath(name));
  console.log(`Destroyed ${name}`);
}

/** The remote to add, without the token: git asks for it, or a credential helper supplies it. */
export function gitRemote(apiBase: string, app: string): string {
  return `${apiBase}/${app}.git`;
}

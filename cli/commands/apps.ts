/** apps, apps:create, apps:destroy, apps:info */
import type { Command } from 'commander';
import { CliError, createClient } from '../client.js';
import { print, type OutputOptions } from '../output.js';

interface AppView {
  name: string;
  url: string;
  gitUrl: string;
  currentRelease: number | null;
  createdAt: string;
}

export function registerAppCommands(program: Command): void {
  program.command('apps').description('list apps').option('--json', 'print JSON').action(async (opts: OutputOptions) => {
    const apps = await createClient(process.env).request<AppView[]>('GET', '/apps');
    print(opts, apps, () => (apps.length === 0 ? 'No apps yet: create one with `devflow apps:create <name>`' :
      apps.map((a) => `${a.name.padEnd(24)} ${a.currentRelease ? `v${a.currentRelease}` : '-'}\t${a.url}`).join('\n')));
  });

  program.command('apps:create').description('create an app').argument('<name>', 'app name (lowercase letters, digits, dashes)')
    .option('--json', 'print JSON').action(async (name: string, opts: OutputOptions) => {
      const client = createClient(process.env);
      const app = await client.request<AppView>('POST', '/apps', { name });
      const remote = gitRemote(client.base, app.name);
      print(opts, { ...app, gitRemote: remote }, () =>
        [`Created ${app.name}`, `  URL:        ${app.url}`, `  Git remote: ${remote}`, '',
          `  git remote add devflow ${remote}`, '  git push devflow main'].join('\n'));
    });

  program.command('apps:info').description('show an app').argument('<name>').option('--json', 'print JSON')
    .action(async (name: string, opts: OutputOptions) => {
      const app = await createClient(process.env).request<AppView>('GET', `/apps/${encodeURIComponent(name)}`);
      print(opts, app, () => [`=== ${app.name}`, `URL:      ${app.url}`, `Git:      ${gitRemote(createClient(process.env).base, app.name)}`,
        `Release:  ${app.currentRelease ? `v${app.currentRelease}` : 'none yet'}`].join('\n'));
    });

  program.command('apps:destroy').description('delete an app, its instances and its repository').argument('<name>')
    .option('--confirm <name>', 'the app name again, to confirm').action(async (name: string, opts: { confirm?: string }) => {
      if (opts.confirm !== name) {
        throw new CliError(`this deletes ${name} and everything it runs; repeat the name to confirm: devflow apps:destroy ${name} --confirm ${name}`);
      }
      await createClient(process.env).request('DELETE', `/apps/${encodeURIComponent(name)}`);
      console.log(`Destroyed ${name}`);
    });
}

/** The remote to add, without the token: git asks for it, or a credential helper supplies it. */
export function gitRemote(apiBase: string, app: string): string {
  return `${apiBase}/${app}.git`;
}

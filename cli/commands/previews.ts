/** previews, previews:remove, previews:webhook, previews:config:set */
import type { Command } from 'commander';
import { createClient } from '../client.js';
import { print, type OutputOptions } from '../output.js';

interface PreviewView { slug: string; url: string; source: string; sourceRef: string; state: string; createdAt: string }

export function registerPreviewCommands(program: Command): void {
  program.command('previews').description("list an app's preview environments").argument('<app>').option('--json', 'print JSON')
    .action(async (app: string, opts: OutputOptions) => {
      const previews = await createClient(process.env).request<PreviewView[]>('GET', `/apps/${encodeURIComponent(app)}/previews`);
      print(opts, previews, () => previews.length === 0
        ? `${app} has no previews: push a branch (git push devflow my-branch) or open a pull request`
        : previews.map((p) => `${p.slug.padEnd(28)} ${p.state.padEnd(9)} ${p.source === 'branch' ? p.sourceRef : `PR #${p.sourceRef}`}\t${p.url}\t${age(p.createdAt)}`).join('\n'));
    });

  program.command('previews:remove').description('remove a preview, its instances and its database').argument('<app>').argument('<slug>')
    .action(async (app: string, slug: string) => {
      await createClient(process.env).request('DELETE', `/apps/${encodeURIComponent(app)}/previews/${encodeURIComponent(slug)}`);
      console.log(`Removed preview ${slug} of ${app}`);
    });

  program.command('previews:webhook').description('show the pull-request webhook URL and secret for the repository host')
    .argument('<app>').option('--rotate', 'make a new secret (the old one stops working)').option('--json', 'print JSON')
    .action(async (app: string, opts: OutputOptions & { rotate?: boolean }) => {
      const hook = await createClient(process.env).request<{ url: string; secret: string }>(opts.rotate ? 'POST' : 'GET', `/apps/${encodeURIComponent(app)}/previews/webhook`);
      print(opts, hook, () => [`Webhook URL: ${hook.url}`, `Secret:      ${hook.secret}`, '',
        'Set both on the repository (GitHub/Gitea: content type application/json, event "Pull requests";',
        'GitLab: "Merge request events", the secret as the token).'].join('\n'));
    });

  program.command('previews:config:set').description('config vars that previews use instead of the app\'s').argument('<app>')
    .argument('<pairs...>', 'KEY=value, or KEY= to unset').action(async (app: string, pairs: string[]) => {
      const changes = Object.fromEntries(pairs.map((pair) => {
        const at = pair.indexOf('=');
        return at < 0 ? [pair, null] : [pair.slice(0, at), pair.slice(at + 1) === '' ? null : pair.slice(at + 1)];
      }));
      const result = await createClient(process.env).request<{ vars: Record<string, string> }>('PATCH', `/apps/${encodeURIComponent(app)}/previews/config`, changes);
      console.log(Object.entries(result.vars).map(([k, v]) => `${k}=${v}`).join('\n') || 'no preview overrides');
    });
}

function age(iso: string): string {
  const minutes = Math.round((Date.now() - new Date(iso).getTime()) / 60_000);
  return minutes < 60 ? `${minutes} min` : minutes < 2880 ? `${Math.round(minutes / 60)} h` : `${Math.round(minutes / 1440)} days`;
}

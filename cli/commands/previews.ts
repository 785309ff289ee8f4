/** previews, previews:remove, previews:webhook, previews:config:set */
import { createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

interface PreviewView { slug: string; url: string; source: string; sourceRef: string; state: string; createdAt: string }

const path = (app: string, rest = '') => `/apps/${encodeURIComponent(app)}/previews${rest}`;

export async function listPreviews({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const previews = await createClient(process.env).request<PreviewView[]>('GET', path(app));
  print(opts, previews, () => previews.length === 0
    ? `${app} has no previews: push a branch (git push devflow my-branch) or open a pull request`
    : previews.map((p) => `${p.slug.padEnd(28)} ${p.state.padEnd(9)} ${p.source === 'branch' ? p.sourceRef : `PR #${p.sourceRef}`}\t${p.url}\t${age(p.createdAt)}`).join('\n'));
}

export async function removePreview({ app, args: [slug] }: CommandInput): Promise<void> {
  await createClient(process.env).request('DELETE', path(app, `/${encodeURIComponent(slug!)}`));
  console.log(`Removed preview ${slug} of ${app}`);
}

export async function showWebhook({ app, opts }: CommandInput<OutputOptions & { rotate?: boolean }>): Promise<void> {
  const hook = await createClient(process.env).request<{ url: string; secret: string }>(opts.rotate ? 'POST' : 'GET', path(app, '/webhook'));
  print(opts, hook, () => [`Webhook URL: ${hook.url}`, `Secret:      ${hook.secret}`, '',
    'Set both on the repository (GitHub/Gitea: content type application/json, event "Pull requests";',
    'GitLab: "Merge request events", the secret as the token).'].join('\n'));
}

export async function setPreviewConfig({ app, args: pairs }: CommandInput): Promise<void> {
  const changes = Object.fromEntries(pairs.map((pair) => {
    const at = pair.indexOf('=');
    return at < 0 ? [pair, null] : [pair.slice(0, at), pair.slice(at + 1) === '' ? null : pair.slice(at + 1)];
  }));
  const result = await createClient(process.env).request<{ vars: Record<string, string> }>('PATCH', path(app, '/config'), changes);
  console.log(Object.entries(result.vars).map(([k, v]) => `${k}=${v}`).join('\n') || 'no preview overrides');
}

function age(iso: string): string {
  const minutes = Math.round((Date.now() - new Date(iso).getTime()) / 60_000);
  return minutes < 60 ? `${minutes} min` : minutes < 2880 ? `${Math.round(minutes / 60)} h` : `${Math.round(minutes / 1440)} days`;
}

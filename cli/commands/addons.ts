/**
 * addons, addons:create, addons:destroy (issue 21): an app's add-ons. Creating one that binds
 * variables (REDIS_URL) makes a new release, as config:set does; destroying one asks for the
 * app's name again, as apps:destroy does.
 */
import type { AddonView, CreatedAddon } from '../../addons/index.js';
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

const path = (app: string) => `/apps/${encodeURIComponent(app)}/addons`;

export function formatAddons(app: string, addons: AddonView[]): string {
  if (addons.length === 0) return `${app} has no add-ons: devflow addons:create ${app} redis`;
  return [`=== ${app} add-ons`, ...addons.map((a) => {
    const info = Object.entries(a.info).map(([k, v]) => `${k}: ${v}`).join(', ');
    return `${a.name.padEnd(16)} ${a.kind.padEnd(9)} ${a.plan}\n  ${a.connection}${a.env.length ? ` (${a.env.join(', ')})` : ''}${info ? `\n  ${info}` : ''}`
      + `\n  previews: ${PREVIEWS[a.previews]}`;
  })].join('\n');
}

const PREVIEWS: Record<AddonView['previews'], string> = {
  own: 'their own, empty',
  shared: "the app's (shared: they may write to it)",
  withheld: 'none of its variables (addons:share to give them the app\'s)',
};

export async function listAddons({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const addons = await createClient(process.env).request<AddonView[]>('GET', path(app));
  print(opts, addons, () => formatAddons(app, addons));
}

/** The options of `addons:create`, as the API's `options` (the providers check them). */
export function addonOptions(
  opts: Partial<Record<'extensions' | 'url' | 'user' | 'password' | 'httpUrl', string>> & { shareWithPreviews?: boolean },
): Record<string, string> {
  const names = { extensions: 'extensions', url: 'url', user: 'user', password: 'password', httpUrl: 'http-url' } as const;
  const options = Object.fromEntries(Object.entries(names).flatMap(([key, name]) => {
    const value = opts[key as keyof typeof names];
    return value === undefined ? [] : [[name, value]];
  }));
  return opts.shareWithPreviews === true ? { ...options, 'share-with-previews': 'true' } : options;
}

export async function createAddon({ app, args: [kind], opts }: CommandInput<OutputOptions & Parameters<typeof addonOptions>[0]>): Promise<void> {
  const options = addonOptions(opts);
  const created = await createClient(process.env).request<CreatedAddon>('POST', path(app), { kind, options });
  const { addon, release } = created;
  print(opts, created, () => [
    `Created ${addon.name} (${addon.kind}) for ${app}: ${addon.connection}`,
    addon.env.length === 0 ? '' : release === null
      ? `  ${addon.env.join(', ')} set; processes get it from the first deploy`
      : `  ${addon.env.join(', ')} set; released v${release}`,
  ].filter(Boolean).join('\n'));
}

export async function destroyAddon({ app, args: [ref], opts }: CommandInput<{ confirm?: string }>): Promise<void> {
  if (opts.confirm !== app) {
    throw new CliError(`this deletes the add-on's data; repeat the app's name to confirm: devflow addons:destroy ${app} ${ref} --confirm ${app}`, 'usage');
  }
  const { release } = await createClient(process.env).request<{ release: number | null }>('DELETE', `${path(app)}/${encodeURIComponent(ref!)}`);
  console.log(`Destroyed ${ref} of ${app}${release === null ? '' : `; released v${release}`}`);
}

export function shareAddon(input: CommandInput<OutputOptions>): Promise<void> {
  return setSharing(input, true);
}

export function unshareAddon(input: CommandInput<OutputOptions>): Promise<void> {
  return setSharing(input, false);
}

async function setSharing({ app, args: [ref], opts }: CommandInput<OutputOptions>, share: boolean): Promise<void> {
  const addon = await createClient(process.env).request<AddonView>('PUT', `${path(app)}/${encodeURIComponent(ref!)}/previews`, { share });
  print(opts, addon, () => `${addon.name} of ${app}: previews get ${PREVIEWS[addon.previews]}, from their next deploy`);
}

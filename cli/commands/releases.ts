/** releases, deployments, deployments:log */
import type { Command } from 'commander';
import { createClient } from '../client.js';
import { print, type OutputOptions } from '../output.js';

interface ReleaseView {
  version: number; sha: string | null; description: string; createdAt: string; current: boolean;
  actor?: string; state?: string; rollbackable?: boolean;
}

/** One line per release: version (current marked), what, who, when, and why it cannot be used. */
export function formatRelease(r: ReleaseView): string {
  const notes = [r.state === 'failed' ? 'failed' : '', r.state === 'pending' ? 'releasing' : '', r.rollbackable === false ? 'build removed' : '']
    .filter(Boolean);
  return [`v${r.version}${r.current ? ' (current)' : ''}`.padEnd(14), r.description.padEnd(28), (r.actor ?? '').padEnd(10),
    new Date(r.createdAt).toISOString(), notes.length > 0 ? `(${notes.join(', ')})` : ''].join('  ').trimEnd();
}
interface DeploymentView { id: number; sha: string; state: string; reason: string | null; releaseVersion: number | null; createdAt: string }

export function registerReleaseCommands(program: Command): void {
  program.command('releases').description("list an app's releases").argument('<app>').option('--json', 'print JSON')
    .action(async (app: string, opts: OutputOptions) => {
      const releases = await createClient(process.env).request<ReleaseView[]>('GET', `/apps/${encodeURIComponent(app)}/releases`);
      print(opts, releases, () => releases.length === 0 ? `${app} has no releases yet: git push to deploy` :
        releases.map(formatRelease).join('\n'));
    });

  program.command('deployments').description("list an app's deployments").argument('<app>').option('--json', 'print JSON')
    .action(async (app: string, opts: OutputOptions) => {
      const list = await createClient(process.env).request<DeploymentView[]>('GET', `/apps/${encodeURIComponent(app)}/deployments`);
      print(opts, list, () => list.map((d) =>
        `#${d.id}\t${d.state}\t${d.sha.slice(0, 7)}\t${d.releaseVersion ? `v${d.releaseVersion}` : ''}\t${d.reason ?? ''}`).join('\n'));
    });

  program.command('deployments:log').description("print a deployment's build and release log").argument('<id>')
    .option('--follow', 'keep printing until the deployment ends').action(async (id: string, opts: { follow?: boolean }) => {
      await createClient(process.env).stream(`/deployments/${encodeURIComponent(id)}/log${opts.follow ? '?follow=true' : ''}`,
        (text) => process.stdout.write(text));
    });
}

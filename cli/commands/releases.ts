/** releases, deployments, deployments:cancel, deployments:log, deployments:trace */
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';
import type { DeploymentTiming } from '../waterfall.js';

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

const appPath = (app: string, rest: string) => `/apps/${encodeURIComponent(app)}${rest}`;

export async function listReleases({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const releases = await createClient(process.env).request<ReleaseView[]>('GET', appPath(app, '/releases'));
  print(opts, releases, () => releases.length === 0 ? `${app} has no releases yet: git push to deploy` :
    releases.map(formatRelease).join('\n'));
}

export async function listDeployments({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const list = await createClient(process.env).request<DeploymentView[]>('GET', appPath(app, '/deployments'));
  print(opts, list, () => list.map((d) =>
    `#${d.id}\t${d.state}\t${d.sha.slice(0, 7)}\t${d.releaseVersion ? `v${d.releaseVersion}` : ''}\t${d.reason ?? ''}`).join('\n'));
}

const IN_PROGRESS = new Set(['queued', 'building', 'releasing']);

/** `deployments:cancel [app] [id]`: the given deployment, or the app's newest one in progress. */
export async function cancelDeployment({ app, args: [given], opts }: CommandInput<OutputOptions>): Promise<void> {
  const client = createClient(process.env);
  if (given !== undefined && !/^#?\d+$/.test(given)) throw new CliError(`the deployment id is a number from \`devflow deployments ${app}\`, got "${given}"`, 'usage');
  let id = given?.replace(/^#/, '');
  if (id === undefined) {
    const list = await client.request<DeploymentView[]>('GET', appPath(app, '/deployments'));
    const running = list.find((d) => IN_PROGRESS.has(d.state));
    if (running === undefined) throw new CliError(`no deployment of ${app} is in progress: \`devflow deployments ${app}\` lists them`, 'conflict');
    id = String(running.id);
  }
  const ended = await client.request<DeploymentView>('POST', appPath(app, `/deployments/${encodeURIComponent(id)}/cancel`));
  print(opts, ended, () => ended.state === 'building'
    ? `Deployment #${ended.id} of ${app} was told to stop and is still building: \`devflow deployments ${app}\` shows when it has`
    : `Cancelled deployment #${ended.id} of ${app}: the running release (if any) keeps serving`);
}

export async function printDeploymentLog({ args: [id], opts }: CommandInput<{ follow?: boolean }>): Promise<void> {
  await createClient(process.env).stream(`/deployments/${encodeURIComponent(id!)}/log${opts.follow ? '?follow=true' : ''}`,
    (text) => process.stdout.write(text));
}

/** `deployments:trace <id>`: where a deployment spent its time, as a waterfall of its phases (issue 18). */
export async function printDeploymentTrace({ args: [id], opts }: CommandInput<OutputOptions>): Promise<void> {
  const { deploymentSpans, renderWaterfall } = await import('../waterfall.js');
  const deployment = await createClient(process.env).request<DeploymentTiming>('GET', `/deployments/${encodeURIComponent(id!)}`);
  const spans = deploymentSpans(deployment);
  print(opts, spans, () => {
    if (spans.length === 0) return `deployment ${deployment.id} has no phase timings yet (${deployment.state})`;
    // The last phase waits for traffic: it is added when the router relays the release's first request.
    const waiting = deployment.state === 'succeeded' && !deployment.phases.some((p) => p.phase === 'first-request');
    return [...renderWaterfall(spans), ...(waiting ? [`no request served on v${deployment.releaseVersion} yet: first-request is added when the router relays one`] : [])].join('\n');
  });
}

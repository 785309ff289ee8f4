/** deploy: deploy a ref already pushed to the app, without a push (POST .../deployments). */
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

interface DeploymentView { id: number; state: string; sha: string; ref: string; reason: string | null; releaseVersion: number | null }

export async function deploy({ app, opts }: CommandInput<OutputOptions & { ref: string; builder: string; follow: boolean }>): Promise<void> {
  const client = createClient(process.env);
  const queued = await client.request<DeploymentView>('POST', `/apps/${encodeURIComponent(app)}/deployments`, { ref: opts.ref, builder: opts.builder });
  if (!opts.follow) return print(opts, queued, () => `Deployment #${queued.id} of ${app} at ${queued.sha.slice(0, 7)} is ${queued.state}`);
  if (!opts.json) await client.stream(`/deployments/${queued.id}/log?follow=true`, (text) => process.stdout.write(text));
  const final = await client.request<DeploymentView>('GET', `/deployments/${queued.id}`);
  if (opts.json) print(opts, final, () => '');
  if (final.state !== 'succeeded') throw new CliError(`deployment #${final.id} ${final.state}${final.reason ? `: ${final.reason}` : ''}`, 'failed');
}

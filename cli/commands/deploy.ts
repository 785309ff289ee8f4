/** deploy: deploy a ref already pushed to the app, without a push (POST .../deployments). */
import type { Command } from 'commander';
import { resolveAppName } from '../app-name.js';
import { CliError, createClient } from '../client.js';
import { print, type OutputOptions } from '../output.js';

interface DeploymentView { id: number; state: string; sha: string; ref: string; reason: string | null; releaseVersion: number | null }

export function registerDeployCommand(program: Command): void {
  program.command('deploy').description('deploy a branch, tag or commit already in the app\'s repository')
    .argument('[app]', 'the app (default: --app, or the git remote "devflow")')
    .option('-a, --app <app>', 'the app')
    .option('--ref <ref>', 'what to deploy', 'main')
    .option('--builder <builder>', 'auto, dockerfile or buildpacks', 'auto')
    .option('--no-follow', 'return once queued instead of printing the build log')
    .option('--json', 'print JSON (the deployment once it ends, or once queued with --no-follow)')
    .action(async (appArg: string | undefined, opts: OutputOptions & { app?: string; ref: string; builder: string; follow: boolean }) => {
      const app = await resolveAppName(appArg ?? opts.app);
      const client = createClient(process.env);
      const queued = await client.request<DeploymentView>('POST', `/apps/${encodeURIComponent(app)}/deployments`, { ref: opts.ref, builder: opts.builder });
      if (!opts.follow) return print(opts, queued, () => `Deployment #${queued.id} of ${app} at ${queued.sha.slice(0, 7)} is ${queued.state}`);
      if (!opts.json) await client.stream(`/deployments/${queued.id}/log?follow=true`, (text) => process.stdout.write(text));
      const final = await client.request<DeploymentView>('GET', `/deployments/${queued.id}`);
      if (opts.json) print(opts, final, () => '');
      if (final.state !== 'succeeded') throw new CliError(`deployment #${final.id} ${final.state}${final.reason ? `: ${final.reason}` : ''}`);
    });
}

/** logs: an app's runtime logs (kept across redeploys and restarts); --tail follows them. */
import type { Command } from 'commander';
import { resolveAppName } from '../app-name.js';
import { CliError, createClient } from '../client.js';

interface LogsOptions { app?: string; num: string; tail?: boolean; process?: string; json?: boolean }

export function registerLogCommands(program: Command): void {
  program.command('logs').description("show an app's runtime logs, with process and instance names")
    .argument('[app]', 'the app (default: --app, or the git remote "devflow")')
    .option('-a, --app <app>', 'the app')
    .option('-n, --num <lines>', 'how many recent lines', '100')
    .option('-t, --tail', 'keep following new lines (Ctrl-C to stop)')
    .option('-p, --process <type>', 'only this process type, e.g. web')
    .option('--json', 'one JSON object per line')
    .action(async (appArg: string | undefined, opts: LogsOptions) => {
      const app = await resolveAppName(appArg ?? opts.app);
      if (!/^\d+$/.test(opts.num)) throw new CliError(`--num must be a number of lines, got "${opts.num}"`);
      const query = new URLSearchParams({ lines: opts.num });
      if (opts.process) query.set('process', opts.process);
      if (opts.tail) query.set('follow', 'true');
      if (opts.json) query.set('format', 'json');
      const client = createClient(process.env);
      if (opts.json && !opts.tail) {
        const lines = await client.request<unknown[]>('GET', `/apps/${encodeURIComponent(app)}/logs?${query}`);
        for (const line of lines) console.log(JSON.stringify(line));
        return;
      }
      await client.stream(`/apps/${encodeURIComponent(app)}/logs?${query}`, (text) => process.stdout.write(text));
    });
}

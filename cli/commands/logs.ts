/**
 * logs: an app's runtime logs (kept across redeploys and restarts); --tail follows them;
 * --query, --since and --until search them (issue 18, the query language of telemetry/logs/).
 */
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';

interface LogsOptions { num: string; tail?: boolean; process?: string; json?: boolean; query?: string; since?: string; until?: string }

export async function showLogs({ app, opts }: CommandInput<LogsOptions>): Promise<void> {
  if (!/^\d+$/.test(opts.num)) throw new CliError(`--num must be a number of lines, got "${opts.num}"`, 'usage');
  const query = new URLSearchParams({ lines: opts.num });
  if (opts.process) query.set('process', opts.process);
  if (opts.tail) query.set('follow', 'true');
  if (opts.json) query.set('format', 'json');
  if (opts.query !== undefined) query.set('query', opts.query);
  if (opts.since !== undefined) query.set('since', opts.since);
  if (opts.until !== undefined) query.set('until', opts.until);
  const client = createClient(process.env);
  if (opts.json && !opts.tail) {
    const lines = await client.request<unknown[]>('GET', `/apps/${encodeURIComponent(app)}/logs?${query}`);
    for (const line of lines) console.log(JSON.stringify(line));
    return;
  }
  await client.stream(`/apps/${encodeURIComponent(app)}/logs?${query}`, (text) => process.stdout.write(text));
}

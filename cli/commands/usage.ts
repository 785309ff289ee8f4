/** usage: what an app used in a month (issue 20), as instance-hours by size and build minutes. */
import { createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

interface UsageView {
  app: string; month: string; instanceSeconds: Record<string, number>; oneOffSeconds: Record<string, number>; buildSeconds: number;
}

const hours = (seconds: number) => `${(seconds / 3600).toFixed(2)} h`;

export function formatUsage(u: UsageView): string {
  const sizes = (by: Record<string, number>) => Object.entries(by).map(([size, s]) => `  ${size.padEnd(12)} ${hours(s)}`);
  const instances = sizes(u.instanceSeconds);
  const runs = sizes(u.oneOffSeconds);
  return [
    `=== ${u.app} usage, ${u.month}`,
    'Instances:', ...(instances.length > 0 ? instances : ['  none']),
    ...(runs.length > 0 ? ['One-off runs:', ...runs] : []),
    `Builds:        ${(u.buildSeconds / 60).toFixed(1)} min`,
  ].join('\n');
}

export async function showUsage({ app, opts }: CommandInput<OutputOptions & { month?: string }>): Promise<void> {
  const query = opts.month ? `?month=${encodeURIComponent(opts.month)}` : '';
  const usage = await createClient(process.env).request<UsageView>('GET', `/apps/${encodeURIComponent(app)}/usage${query}`);
  print(opts, usage, () => formatUsage(usage));
}

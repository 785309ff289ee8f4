/** errors: an app's exceptions grouped by fingerprint (issue 18), the most recently seen first. */
import { createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

interface ErrorGroupView {
  type: string; message: string; count: number; firstSeen: string; lastSeen: string;
  firstRelease: number | null; lastRelease: number | null; sampleStack: string;
}

/** A group's headline, its counts and releases, then the sample stack's top frames, indented. */
export function formatErrorGroup(g: ErrorGroupView): string {
  const releases = g.firstRelease === null ? '' : g.firstRelease === g.lastRelease ? `  v${g.firstRelease}` : `  v${g.firstRelease}..v${g.lastRelease}`;
  const frames = g.sampleStack.split('\n').filter((l) => /^\s+(at |File ")/.test(l)).slice(0, 3).map((l) => `    ${l.trim()}`);
  return [
    `${g.type}: ${g.message}`,
    `  ${g.count}×  first ${g.firstSeen}  last ${g.lastSeen}${releases}`,
    ...frames,
  ].join('\n');
}

export async function listErrors({ app, opts }: CommandInput<OutputOptions & { since?: string }>): Promise<void> {
  const query = opts.since ? `?since=${encodeURIComponent(opts.since)}` : '';
  const groups = await createClient(process.env).request<ErrorGroupView[]>('GET', `/apps/${encodeURIComponent(app)}/errors${query}`);
  print(opts, groups, () => groups.length === 0 ? `no exceptions seen in ${app}'s output` : groups.map(formatErrorGroup).join('\n\n'));
}

/** What `devflow usage` prints (issue 20): sizes in the largest unit of 1,000, a team's apps beside its sums. */
import { describe, expect, it } from 'vitest';
import { formatBytes, formatTeamUsage } from './usage.js';

describe('devflow usage output', () => {
  it.each([[0, '0 B'], [999, '999 B'], [1000, '1.00 kB'], [2_107_000, '2.11 MB'], [5e12, '5.00 TB'], [7e15, '7000.00 TB']])('%d bytes is %s', (bytes, shown) => {
    expect(formatBytes(bytes)).toBe(shown);
  });
  it("prints a team's sums, then each app's instance-hours, requests and egress", () => {
    const totals = { month: '2026-12', instanceSeconds: { eco: 7200 }, oneOffSeconds: {}, buildSeconds: 90, requests: 5, egressBytes: 2112, databaseBytes: 8e6, storageBytes: 0 };
    expect(formatTeamUsage({ ...totals, team: 'acme', apps: [{ ...totals, app: 'shop', instanceSeconds: { eco: 3600 } }] })).toBe([
      '=== team acme usage, 2026-12',
      'Instances:',
      '  eco          2.00 h',
      'Builds:        1.5 min',
      'Requests:      5',
      'Egress:        2.11 kB',
      'Database:      8.00 MB (largest)',
      'Storage:       0 B (largest)',
      'Apps (instance-hours, requests, egress):',
      '  shop                         1.00 h          5 req  2.11 kB',
    ].join('\n'));
  });
});

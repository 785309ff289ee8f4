import { describe, expect, it } from 'vitest';
import { usageChartPoints, usageRows } from './usage-figures.js';

describe('usage figures', () => {
  it('writes the totals as a person reads them', () => {
    const rows = usageRows({
      instanceSeconds: { eco: 5400, standard: 0 }, oneOffSeconds: { eco: 1800 }, buildSeconds: 150, requests: 42,
      egressBytes: 2_500_000, databaseBytes: 8_100_000_000, storageBytes: 512,
    });
    expect(rows.map(([key, , text]) => [key, text])).toEqual([
      ['instanceHours', '1.50 h (eco 1.50)'], ['oneOffHours', '0.50 h'], ['buildMinutes', '2.5 min'], ['egress', '2.5 MB'],
      ['requests', '42'], ['database', '8.10 GB'], ['storage', '512 B'],
    ]);
  });
  it('turns bytes into MB and leaves an unsampled size out of its bucket', () => {
    expect(usageChartPoints([
      { at: '2026-11-01T00:00:00.000Z', instanceHours: 2, oneOffHours: 0, buildMinutes: 3, requests: 10, egressBytes: 1_500_000, databaseBytes: null, storageBytes: null },
      { at: '2026-11-02T00:00:00.000Z', instanceHours: 0, oneOffHours: 1, buildMinutes: 0, requests: 0, egressBytes: 0, databaseBytes: 2_000_000, storageBytes: 0 },
    ])).toEqual([
      { at: '2026-11-01T00:00:00.000Z', instanceHours: 2, buildMinutes: 3, egressMb: 1.5, requests: 10 },
      { at: '2026-11-02T00:00:00.000Z', instanceHours: 0, buildMinutes: 0, egressMb: 0, requests: 0, databaseMb: 2, storageMb: 0 },
    ]);
  });
});

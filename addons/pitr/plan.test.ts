import { describe, expect, it } from 'vitest';
import {
  baseBackupDue, baseBackupFor, baseBackupLabel, baseBackupsToPrune, earliestRestorable, parseRestoreRef, parseTargetTime,
  restoredDatabaseName, restoreName, walFileName, walToPrune, type BaseBackupSummary,
} from './plan.js';

const now = new Date('2026-12-05T12:00:00Z');
const at = (iso: string) => new Date(iso);
function backup(id: number, finished: string | null, state: BaseBackupSummary['state'] = 'succeeded', started?: string): BaseBackupSummary {
  const finishedAt = finished === null ? null : at(finished);
  return { id, state, startedAt: started ? at(started) : new Date((finishedAt ?? now).getTime() - 60_000), finishedAt, startWal: null };
}

describe('parseTargetTime', () => {
  it.each([
    ['2026-12-04 10:15:00', '2026-12-04T10:15:00.000Z'],
    ['2026-12-04 10:15', '2026-12-04T10:15:00.000Z'],
    ['2026-12-04T10:15:00.250', '2026-12-04T10:15:00.250Z'],
    ['2026-12-04 10:15:00Z', '2026-12-04T10:15:00.000Z'],
    ['2026-12-04 10:15:00 UTC', '2026-12-04T10:15:00.000Z'],
    ['2026-12-04T10:15:00+01:00', '2026-12-04T09:15:00.000Z'],
    ['2026-12-04 10:15:00-0500', '2026-12-04T15:15:00.000Z'],
    [' 2026-12-05 11:59:59 ', '2026-12-05T11:59:59.000Z'],
  ])('%j is %s', (text, iso) => expect(parseTargetTime(text, now).toISOString()).toBe(iso));

  it.each(['', 'yesterday', '2026-12-04', '2026-13-04 10:15:00', '2026-12-04 25:00:00', '10:15:00', '2026-12-04 10:15:00; rm -rf /', undefined])(
    'refuses %j with the form to use', (text) => {
      expect(() => parseTargetTime(text, now)).toThrow(/is not a time: give one like '2026-12-04 10:15:00' \(UTC\)/);
    });

  it.each(['2026-12-05 12:00:00', '2026-12-06 00:00:00', '2027-01-01T00:00:00+05:00'])('refuses %j: the future', (text) => {
    expect(() => parseTargetTime(text, now)).toThrow(/is in the future \(it is 2026-12-05 12:00:00 UTC now\)/);
  });
});

describe('baseBackupFor and earliestRestorable', () => {
  const backups = [
    backup(1, '2026-12-01T03:00:00Z'), backup(2, '2026-12-02T03:00:00Z'), backup(3, null, 'failed'),
    backup(4, '2026-12-03T03:00:00Z'), backup(5, null, 'running'),
  ];
  it.each([
    ['2026-12-01T03:00:00Z', 1], ['2026-12-01T23:59:59Z', 1], ['2026-12-02T03:00:00Z', 2],
    ['2026-12-02T12:00:00Z', 2], ['2026-12-05T11:00:00Z', 4],
  ])('to %s starts from base backup %i (the newest finished by then)', (target, id) => {
    expect(baseBackupFor(backups, at(target)).id).toBe(id);
  });

  it('before the oldest finish: a 4xx naming the earliest time', () => {
    expect(() => baseBackupFor(backups, at('2026-12-01T02:59:59Z'))).toThrow(
      expect.objectContaining({ code: 'invalid_input', message: '2026-12-01 02:59:59 UTC is before the oldest base backup: the earliest time a restore can reach is 2026-12-01 03:00:00 UTC' }));
    expect(earliestRestorable(backups)?.toISOString()).toBe('2026-12-01T03:00:00.000Z');
  });

  it('with no finished base backup: a conflict that says how to take one', () => {
    expect(() => baseBackupFor([backup(5, null, 'running'), backup(3, null, 'failed')], now)).toThrow(/no base backup yet.*devflow pg:basebackup/);
    expect(earliestRestorable([])).toBeUndefined();
  });
});

describe('baseBackupDue', () => {
  it.each([
    [undefined, true], ['2026-12-04T12:00:00Z', true], ['2026-12-04T12:00:01Z', false], ['2026-12-05T11:00:00Z', false],
  ])('newest started %s → due %s', (newest, due) => expect(baseBackupDue(newest ? at(newest) : undefined, now)).toBe(due));
});

describe('baseBackupsToPrune (7 days back from 2026-12-05 12:00)', () => {
  it.each<[string, BaseBackupSummary[], number[]]>([
    ['none', [], []],
    ['all inside the window: all stay', [backup(1, '2026-11-29T03:00:00Z'), backup(2, '2026-12-04T03:00:00Z')], []],
    ['the newest before the window stays, older ones go', [
      backup(1, '2026-11-20T03:00:00Z'), backup(2, '2026-11-27T03:00:00Z'), backup(3, '2026-11-28T03:00:00Z'), backup(4, '2026-12-01T03:00:00Z'),
    ], [1, 2]],
    ['only old ones: the newest stays', [backup(1, '2026-10-01T03:00:00Z'), backup(2, '2026-10-02T03:00:00Z')], [1]],
    ['failed ones go once outside the window, running never', [
      backup(1, null, 'failed', '2026-11-01T03:00:00Z'), backup(2, null, 'failed', '2026-12-04T03:00:00Z'),
      backup(3, null, 'running', '2026-11-01T03:00:00Z'), backup(4, '2026-12-04T04:00:00Z'),
    ], [1]],
  ])('%s', (_what, backups, pruned) => expect(baseBackupsToPrune(backups, now, 7)).toEqual(pruned));
});

describe('WAL names and pruning', () => {
  it.each([
    [1, '0/2000028', '000000010000000000000002'], [1, '0/FFFFFFFF', '0000000100000000000000FF'],
    [2, '16/B374D848', '0000000200000016000000B3'], [1, '0/0', '000000010000000000000000'],
  ])('timeline %i, %s is in %s', (timeline, lsn, name) => expect(walFileName(timeline, lsn)).toBe(name));

  it('refuses a position that is not one', () => expect(() => walFileName(1, '16-B3')).toThrow(/is not a WAL position/));

  it('keeps what the oldest kept base backup needs, and timeline history', () => {
    const files = [
      '000000010000000000000001', '000000010000000000000002', '000000010000000000000002.00000028.backup',
      '000000010000000000000003', '000000010000000100000000', '00000002.history', '000000020000000000000001.partial',
      'archtemp000000010000000000000004.123.456', 'README',
    ];
    expect(walToPrune(files, '000000010000000000000003')).toEqual([
      '000000010000000000000001', '000000010000000000000002', '000000010000000000000002.00000028.backup', '000000020000000000000001.partial',
    ]);
    expect(walToPrune(files, '000000010000000000000001')).toEqual([]);
    expect(() => walToPrune(files, '../etc')).toThrow(/is not a WAL segment name/);
  });
});

describe('names', () => {
  it.each([[1, 'r001'], [42, 'r042'], [1000, 'r1000']])('restore %i is %s', (n, name) => expect(restoreName(n)).toBe(name));
  it.each([['r001', 1], ['R7', 7], ['7', 7], [' r042 ', 42]])('%j names restore %i', (text, n) => expect(parseRestoreRef(text)).toBe(n));
  it.each(['', 'r', 'r0', 'b001', 'r1; x', undefined])('refuses %j', (text) => expect(() => parseRestoreRef(text)).toThrow(/is not a restore/));
  it('a restored database name fits PostgreSQL\'s 63 bytes', () => {
    expect(restoredDatabaseName('app_shop', 3)).toBe('app_shop_r3');
    expect(restoredDatabaseName('a'.repeat(55), 9_999_999).length).toBeLessThanOrEqual(63);
  });
  it('a base backup label sorts by time', () => expect(baseBackupLabel(at('2026-12-04T10:15:00.250Z'))).toBe('20261204T101500.250Z'));
});

import { describe, expect, it } from 'vitest';
import { backupName, backupsToPrune, parseBackupRef, restoringDatabaseName, scheduledBackupDue, type BackupSummary } from './plan.js';

describe('backup names and references', () => {
  it.each([
    [1, 'b001'], [12, 'b012'], [999, 'b999'], [1000, 'b1000'],
  ])('backup %i is %s', (n, name) => expect(backupName(n)).toBe(name));

  it.each([
    ['b003', 3], ['B3', 3], ['3', 3], ['b1000', 1000], [' b012 ', 12],
  ])('%j names backup %i', (text, n) => expect(parseBackupRef(text)).toBe(n));

  it.each(['', 'b', 'b0', '0', 'x3', 'b-1', '3.5', 'b3; DROP TABLE x', undefined])('refuses %j with the form to use', (text) => {
    expect(() => parseBackupRef(text)).toThrow(/is not a backup: name one as `devflow pg:backups` lists it, e\.g\. b003/);
  });
});

describe('scheduledBackupDue', () => {
  const now = new Date('2026-12-05T12:00:00Z');
  it.each([
    ['no scheduled backup yet', undefined, true],
    ['one an hour ago', new Date('2026-12-05T11:00:00Z'), false],
    ['one 23 h 59 min ago', new Date('2026-12-04T12:01:00Z'), false],
    ['one exactly a day ago', new Date('2026-12-04T12:00:00Z'), true],
    ['one three days ago (DevFlow was down)', new Date('2026-12-02T12:00:00Z'), true],
  ])('%s: %s', (_what, newest, due) => expect(scheduledBackupDue(newest, now)).toBe(due));
});

describe('backupsToPrune', () => {
  const s = (number: number, state: BackupSummary['state'] = 'succeeded', kind: BackupSummary['kind'] = 'scheduled'): BackupSummary => ({ number, kind, state });
  it.each<[string, BackupSummary[], number, number[]]>([
    ['fewer than kept', [s(1), s(2)], 7, []],
    ['exactly kept', [s(1), s(2), s(3)], 3, []],
    ['the oldest scheduled go', [s(1), s(2), s(3), s(4), s(5)], 3, [1, 2]],
    ['manual and safety backups are never pruned', [s(1, 'succeeded', 'manual'), s(2), s(3, 'succeeded', 'safety'), s(4), s(5)], 2, [2]],
    ['a failed one does not count as kept', [s(1), s(2), s(3, 'failed'), s(4)], 2, [1, 3]],
    ['a failed newest is kept while no good one is newer', [s(1), s(2, 'failed')], 1, []],
    ['a running one is never removed', [s(1), s(2), s(3, 'running')], 1, [1]],
    ['out of order input', [s(5), s(1), s(3), s(2), s(4)], 2, [1, 2, 3]],
  ])('%s', (_what, backups, keep, pruned) => expect(backupsToPrune(backups, keep)).toEqual(pruned));
});

describe('restoringDatabaseName', () => {
  it('fits PostgreSQL identifiers for the longest app database name', () => {
    const longest = `app_${'a'.repeat(40)}_0123456789`;
    expect(longest).toHaveLength(55);
    expect(restoringDatabaseName(longest)).toHaveLength(63);
    expect(restoringDatabaseName('app_shop_0123456789')).toBe('app_shop_0123456789_restore');
  });
});

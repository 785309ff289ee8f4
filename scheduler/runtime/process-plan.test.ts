import { describe, expect, it } from 'vitest';
import { parseProcessType } from '../../core/names.js';
import type { Artifact } from '../../core/types.js';
import {
  groupLiveness,
  instanceLiveness,
  isGroupAlive,
  isInstanceAlive,
  parseProcStat,
  processCommand,
  processEnvironment,
  type ProcStat,
  type ProcessIdentity,
} from './process-plan.js';

const slug: Artifact = { kind: 'slug', dir: '/srv/slug', processes: { web: 'node server.js --port $PORT', empty: '' }, env: {} };

describe('processCommand', () => {
  it('runs a one-off command (devflow run, cron) through /bin/sh -c in the slug dir, whatever the type', () => {
    expect(processCommand(slug, parseProcessType('run'), 'node migrate.js')).toEqual({ cwd: '/srv/slug', file: '/bin/sh', args: ['-c', 'node migrate.js'] });
  });

  it('runs the Procfile command through /bin/sh -c as one argument, in the slug dir', () => {
    expect(processCommand(slug, parseProcessType('web'))).toEqual({
      cwd: '/srv/slug',
      file: '/bin/sh',
      args: ['-c', 'node server.js --port $PORT'],
    });
  });

  it.each(['worker', 'empty'])('refuses process type %s without a command', (type) => {
    expect(() => processCommand(slug, parseProcessType(type))).toThrow(/has no command in this release \(it has: web, empty\)/);
  });

  it('refuses images: that is the docker runtime', () => {
    expect(() => processCommand({ kind: 'image', image: 'x', processes: { web: '' } }, parseProcessType('web'))).toThrow(
      /use the docker runtime/,
    );
  });
});

describe('processEnvironment', () => {
  const host = { PATH: '/usr/bin:/bin', HOME: '/root', LANG: 'C.UTF-8', SECRET: 'devflow-only', DATABASE_URL: 'control-plane' };
  const cases: Array<[string, Record<string, string>, Record<string, string>, Record<string, string>]> = [
    ['host subset only, plus PORT', {}, {}, { PATH: '/usr/bin:/bin', HOME: '/root', LANG: 'C.UTF-8', PORT: '4100' }],
    [
      'slug PATH is prepended, slug vars added',
      { PATH: '/srv/slug/.heroku/node/bin', NODE_ENV: 'production' },
      {},
      { PATH: '/srv/slug/.heroku/node/bin:/usr/bin:/bin', HOME: '/root', LANG: 'C.UTF-8', NODE_ENV: 'production', PORT: '4100' },
    ],
    [
      'config wins over slug env; PORT wins over config',
      { NODE_ENV: 'production' },
      { NODE_ENV: 'staging', PORT: '1', DATABASE_URL: 'app-db' },
      { PATH: '/usr/bin:/bin', HOME: '/root', LANG: 'C.UTF-8', NODE_ENV: 'staging', DATABASE_URL: 'app-db', PORT: '4100' },
    ],
  ];
  it.each(cases)('%s', (_name, slugEnv, specEnv, expected) => {
    expect(processEnvironment(host, slugEnv, specEnv, 4100)).toEqual(expected);
  });

  it('uses the slug PATH as is when the host has none', () => {
    expect(processEnvironment({}, { PATH: '/srv/bin' }, {}, 1).PATH).toBe('/srv/bin');
  });
});

describe('parseProcStat', () => {
  const tail = '0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1000 1 18446744073709551615';
  const cases: Array<[string, string, ProcStat | null]> = [
    ['plain', `4242 (node) S 1 4242 4242 ${tail}`, { pid: 4242, state: 'S', pgrp: 4242, startTime: '987654' }],
    ['name with spaces and parens', `77 (my (odd) app) Z 1 70 70 ${tail}`, { pid: 77, state: 'Z', pgrp: 70, startTime: '987654' }],
    ['garbage', 'nonsense', null],
    ['truncated', '5 (sh) S 1', null],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(parseProcStat(text)).toEqual(expected);
  });
});

describe('isInstanceAlive', () => {
  const ours: ProcessIdentity = { pid: 100, pgid: 100, startTime: '5000' };
  const stat = (pid: number, pgrp: number, state: string, startTime: string): ProcStat => ({ pid, pgrp, state, startTime });
  const cases: Array<[string, ProcStat[], boolean]> = [
    ['leader running', [stat(100, 100, 'S', '5000')], true],
    ['nothing left', [], false],
    ['pid recycled by another process', [stat(100, 100, 'S', '9999')], false],
    ['leader is a zombie, nothing else', [stat(100, 100, 'Z', '5000')], false],
    ['leader is a zombie, its child serves', [stat(100, 100, 'Z', '5000'), stat(101, 100, 'S', '5001')], true],
    ['leader gone, its child serves', [stat(101, 100, 'S', '5001')], true],
    ['leader gone, only zombies in group', [stat(101, 100, 'Z', '5001')], false],
  ];
  it.each(cases)('%s', (_name, stats, expected) => {
    expect(isInstanceAlive(ours, new Map(stats.map((s) => [s.pid, s])))).toBe(expected);
  });

  it('an instance whose start time was never read is alive only through its group', () => {
    const unknown: ProcessIdentity = { pid: 100, pgid: 100, startTime: null };
    expect(isInstanceAlive(unknown, new Map([[100, stat(100, 100, 'S', '1')]]))).toBe(false);
  });
});

describe('instanceLiveness and groupLiveness (the cheap readings first)', () => {
  const ours: ProcessIdentity = { pid: 100, pgid: 100, startTime: '5000' };
  const stat = (pid: number, pgrp: number, state: string, startTime: string): ProcStat => ({ pid, pgrp, state, startTime });
  // [case, every process on the machine]: the cheap answer must be the full scan's, or 'scan'.
  const machines: Array<[string, ProcStat[]]> = [
    ['leader running', [stat(100, 100, 'S', '5000')]],
    ['nothing left', []],
    ['pid recycled by another process', [stat(100, 100, 'S', '9999')]],
    ['pid recycled into another group', [stat(100, 7, 'S', '9999')]],
    ['leader is a zombie, nothing else', [stat(100, 100, 'Z', '5000')]],
    ['leader is a zombie, its child serves', [stat(100, 100, 'Z', '5000'), stat(101, 100, 'S', '5001')]],
    ['leader gone, its child serves', [stat(101, 100, 'S', '5001')]],
    ['leader gone, only zombies in group', [stat(101, 100, 'Z', '5001')]],
    ['leader gone, unrelated processes only', [stat(300, 300, 'S', '1')]],
  ];
  const readings = (stats: ProcStat[]) => ({
    leader: stats.find((s) => s.pid === ours.pid) ?? null,
    exists: stats.some((s) => s.pgrp === ours.pgid),
  });
  it.each(machines)('%s: the instance', (_name, stats) => {
    const { leader, exists } = readings(stats);
    const quick = instanceLiveness(ours, leader, exists);
    if (quick !== 'scan') expect(quick).toBe(isInstanceAlive(ours, new Map(stats.map((s) => [s.pid, s]))));
  });
  it.each(machines)('%s: the group', (_name, stats) => {
    const { leader, exists } = readings(stats);
    const quick = groupLiveness(ours.pgid, leader, exists);
    if (quick !== 'scan') expect(quick).toBe(isGroupAlive(ours.pgid, new Map(stats.map((s) => [s.pid, s]))));
  });

  it('answers without a scan in the common cases: running, recycled, gone', () => {
    expect(instanceLiveness(ours, stat(100, 100, 'S', '5000'), true)).toBe(true);
    expect(instanceLiveness(ours, stat(100, 100, 'S', '9999'), true)).toBe(false);
    expect(instanceLiveness(ours, null, false)).toBe(false);
    expect(groupLiveness(100, stat(100, 100, 'S', '5000'), true)).toBe(true);
    expect(groupLiveness(100, null, false)).toBe(false);
  });

  it('scans only when the leader is gone or a zombie and the group still has members', () => {
    expect(instanceLiveness(ours, null, true)).toBe('scan');
    expect(instanceLiveness(ours, stat(100, 100, 'Z', '5000'), true)).toBe('scan');
    expect(groupLiveness(100, stat(100, 100, 'Z', '5000'), true)).toBe('scan');
  });
});

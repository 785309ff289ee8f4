import { describe, expect, it } from 'vitest';
import { planLeftover, processInfo, type Leftover, type ProcessInfo } from './leftover-server.js';

const DIR = '/home/me/.devflow/postgres/data';
const PID_FILE = `4242\n${DIR}\n1700000000\n5433\n/tmp\n127.0.0.1\n  1234  5678\nready   \n`;
const server = (ppid: number, owner?: number): ProcessInfo => ({
  ppid,
  command: `/x/bin/postgres -D ${DIR} -p 5433${owner ? ` -c devflow.owner_pid=${owner}` : ''} -c max_connections=200`,
});

describe('planLeftover', () => {
  const cases: [string, string | undefined, ProcessInfo | undefined, Leftover][] = [
    ['no pid file', undefined, undefined, { kind: 'none' }],
    ['pid file of a dead process', PID_FILE, undefined, { kind: 'stale-pid-file' }],
    ['empty pid file (a start that crashed)', '', undefined, { kind: 'stale-pid-file' }],
    ['pid reused by another program', PID_FILE, { ppid: 1, command: '/usr/bin/sleep 100' }, { kind: 'stale-pid-file' }],
    ['a server for another data directory', PID_FILE, { ppid: 1, command: '/x/bin/postgres -D /elsewhere -p 5433' }, { kind: 'stale-pid-file' }],
    ['our server whose DevFlow died', PID_FILE, server(1, 777), { kind: 'orphaned-server', pid: 4242 }],
    ['our server under a subreaper', PID_FILE, server(99, 777), { kind: 'orphaned-server', pid: 4242 }],
    ['a server started before owners were tagged', PID_FILE, server(1), { kind: 'orphaned-server', pid: 4242 }],
    ['our server, its DevFlow still its parent', PID_FILE, server(777, 777), { kind: 'server-of-running-devflow', pid: 4242, devflowPid: 777 }],
  ];
  it.each(cases)('%s', (_name, pidFile, holder, expected) => {
    expect(planLeftover(pidFile, holder, DIR)).toEqual(expected);
  });
});

describe('processInfo', () => {
  it('reads this process: its parent and its command line', async () => {
    const info = await processInfo(process.pid);
    expect(info?.ppid).toBe(process.ppid);
    expect(info?.command).toContain(process.execPath);
  });

  it('knows no process for a pid that cannot exist', async () => {
    expect(await processInfo(0)).toBeUndefined();
    expect(await processInfo(2 ** 22 + 1)).toBeUndefined();
  });
});

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAppName, parseProcessType } from '../../core/names.js';
import { DockerLogGate, shouldAskEngine, type FileMark, type GateEntry } from './docker-log-gate.js';
import { DockerRuntime } from './docker.js';
import { LABEL } from './docker-plan.js';
import { buildTestImage, ensureNodeTestImage, waitFor } from './test-support.js';

const mark = (size: number, mtimeMs = 1, ino = 7): FileMark => ({ size, mtimeMs, ino });
const watched = (m: FileMark): GateEntry => ({ kind: 'file', path: '/x', mark: m });

describe('shouldAskEngine', () => {
  it.each<[string, GateEntry | undefined, FileMark | null, boolean]>([
    ['first read of a container', undefined, mark(10), true],
    ['no file to watch: always', { kind: 'engine' }, mark(10), true],
    ['the file is gone', watched(mark(10)), null, true],
    ['unchanged file: not', watched(mark(10)), mark(10), false],
    ['grown', watched(mark(10)), mark(11), true],
    ['same size, newer time (rotated and refilled)', watched(mark(10)), mark(10, 2), true],
    ['same size, another file', watched(mark(10)), mark(10, 1, 8), true],
  ])('%s', (_name, entry, now, ask) => {
    expect(shouldAskEngine(entry, now)).toBe(ask);
  });
});

describe('DockerLogGate with a real file', () => {
  it('asks only when the file moved, always without a file, and forgets a container whose file went', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-log-gate-'));
    const file = path.join(dir, 'c-json.log');
    await fs.writeFile(file, 'one\n');
    const gate = new DockerLogGate();
    let asked = 0;
    const read = (id: string, logPath: string) => gate.read(id, async () => logPath, async () => ++asked, () => 0);
    expect(await read('a', file)).toBe(1); // the first read asks
    expect(await read('a', file)).toBe(0);
    await fs.appendFile(file, 'two\n');
    expect(await read('a', file)).toBe(2);
    expect(await read('a', file)).toBe(0);
    expect(await read('b', '')).toBe(3); // no LogPath (another log driver): every read asks
    expect(await read('b', '')).toBe(4);
    await fs.rm(file);
    expect(await read('a', file)).toBe(5);
    gate.keepOnly(['b']);
    expect(gate.size).toBe(1);
    await fs.rm(dir, { recursive: true, force: true });
  });
});

const docker = new Docker();
const suffix = randomBytes(3).toString('hex');
const app = parseAppName(`log-gate-${suffix}`);
const tag = `devflow-test/log-gate-${suffix}:latest`;
// Says one line at start and one more each time it gets SIGHUP.
const CHATTY_JS = `
process.on('SIGTERM', () => process.exit(0));
let n = 0;
process.on('SIGHUP', () => console.log('again ' + ++n));
console.log('ready');
setInterval(() => {}, 1000);
`;

afterAll(async () => {
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`${LABEL.app}=${app}`] } });
  for (const c of leftovers) await docker.getContainer(c.Id).remove({ force: true });
  await docker.getImage(tag).remove({ force: true }).catch(() => {});
});

describe('DockerRuntime.readLogs through the gate', () => {
  it('reads every line as before, and asks the engine for logs only after the container wrote', async () => {
    const base = await ensureNodeTestImage(docker);
    await buildTestImage(tag, `FROM ${base}\nWORKDIR /app\nCOPY chatty.js /app/\nCMD ["node", "chatty.js"]\n`, { 'chatty.js': CHATTY_JS });
    // The real engine, with its log requests counted.
    let logRequests = 0;
    const dial = docker.modem.dial.bind(docker.modem);
    docker.modem.dial = ((options: { path?: string }, callback: never) => {
      if (options.path?.includes('/logs')) logRequests++;
      return dial(options as never, callback);
    }) as typeof docker.modem.dial;
    const runtime = new DockerRuntime(docker);
    const instance = await runtime.start({
      app, release: 1, processType: parseProcessType('worker'), slot: 1, env: {},
      artifact: { kind: 'image', image: tag, processes: { worker: '' } },
    });
    let position: string | undefined;
    const seen: string[] = [];
    const readNew = async () => {
      const read = await runtime.readLogs(instance.id, position);
      position = read.position;
      seen.push(...read.lines.map((l) => l.text));
      return read.lines.length;
    };
    await waitFor('the first line', async () => ((await readNew()) > 0 ? true : undefined));
    expect(seen).toEqual(['ready']);
    const before = logRequests;
    for (let i = 0; i < 5; i++) expect(await readNew()).toBe(0);
    const { LogPath } = await docker.getContainer(instance.id).inspect();
    const usesFile = LogPath !== '' && (await fs.stat(LogPath).then(() => true, () => false));
    // Where DevFlow sees the engine's log file (a local engine), quiet reads cost no engine request.
    expect(logRequests - before).toBe(usesFile ? 0 : 5);
    await docker.getContainer(instance.id).kill({ signal: 'SIGHUP' });
    await waitFor('the second line', async () => ((await readNew()) > 0 ? true : undefined));
    expect(seen).toEqual(['ready', 'again 1']);
    await runtime.stop(instance.id, { graceMs: 0 });
  }, 120_000);
});

/**
 * devflow-npm-start (buildpacks/nodejs/lib/npm-start.sh) keeps what a start script relies on
 * under `npm start`, run on the host as the launcher runs it: start.env written by
 * package-info.cjs, the app dir as working directory.
 */
import { execa } from 'execa';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const LIB = join(import.meta.dirname, 'lib');
const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The app writes what it saw to seen.json, then waits for SIGTERM (and notes it) or exits. */
const SERVER = `
const fs = require('node:fs');
const seen = {
  pid: process.pid, argv: process.argv.slice(2),
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('npm_') || k === 'INIT_CWD')),
  firstPath: process.env.PATH.split(':')[0],
};
fs.writeFileSync('seen.json', JSON.stringify(seen));
process.on('SIGTERM', () => { fs.appendFileSync('events.txt', 'node got SIGTERM\\n'); process.exit(0); });
setInterval(() => {}, 1000);
`;

async function appWith(scripts: Record<string, string>): Promise<{ app: string; wrapper: string }> {
  const root = await mkdtemp(join(tmpdir(), 'devflow-npm-start-'));
  dirs.push(root);
  const app = join(root, 'app');
  await mkdir(join(app, 'node_modules', '.bin'), { recursive: true });
  await writeFile(join(app, 'server.js'), SERVER);
  // A dependency's bin, as npm links it: reachable by name from the start script.
  await writeFile(join(app, 'node_modules', '.bin', 'serve-it'), '#!/bin/sh\nexec node server.js "$@"\n');
  await chmod(join(app, 'node_modules', '.bin', 'serve-it'), 0o755);
  await writeFile(join(app, 'package.json'), JSON.stringify({
    name: 'start-app', version: '3.1.4', config: { greeting: 'hey' }, engines: { node: '>=18' }, bin: { 'start-app': 'cli.js' }, scripts,
  }));
  await mkdir(join(root, 'layer', 'bin'), { recursive: true });
  await execa('node', [join(LIB, 'package-info.cjs'), join(root, 'layer', 'start.env')], { cwd: app });
  const wrapper = join(root, 'layer', 'bin', 'devflow-npm-start');
  await cp(join(LIB, 'npm-start.sh'), wrapper);
  return { app, wrapper };
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
}

const exists = (file: string) => readFile(file, 'utf8').then(() => true, () => false);
const read = (file: string) => readFile(file, 'utf8').catch(() => '');

describe('devflow-npm-start', () => {
  it('runs prestart, then the start script as the process itself, with npm\'s variables and node_modules/.bin on PATH', async () => {
    const { app, wrapper } = await appWith({
      prestart: 'echo "$npm_lifecycle_event $npm_package_name@$npm_package_version" >> events.txt',
      start: 'serve-it --port "$PORT"',
    });
    const run = execa(wrapper, [], { cwd: app, env: { PORT: '4321' }, reject: false });
    await until(() => exists(join(app, 'seen.json')));
    const seen = JSON.parse(await read(join(app, 'seen.json'))) as Record<string, unknown>;
    expect(seen).toMatchObject({
      // Two execs (wrapper -> sh -> serve-it -> node) and no process in between: SIGTERM reaches node.
      pid: run.pid,
      argv: ['--port', '4321'],
      npm_package_name: 'start-app', npm_package_version: '3.1.4', npm_package_config_greeting: 'hey', npm_package_engines_node: '>=18',
      npm_lifecycle_event: 'start', npm_lifecycle_script: 'serve-it --port "$PORT"', npm_command: 'start',
      npm_package_json: join(app, 'package.json'), INIT_CWD: app, firstPath: join(app, 'node_modules', '.bin'),
    });
    run.kill('SIGTERM');
    await run;
    expect(await read(join(app, 'events.txt'))).toBe('prestart start-app@3.1.4\nnode got SIGTERM\n');
  });

  it.each([
    ['a simple start script with poststart: SIGTERM reaches node, then poststart runs', { start: 'node server.js', poststart: 'echo "$npm_lifecycle_event" >> events.txt' },
      'node got SIGTERM\npoststart\n', 0],
    ['a compound start script: SIGTERM reaches node through the shell', { start: 'cd . && node server.js' }, 'node got SIGTERM\n', 143],
  ])('%s', async (_name, scripts, events, exitCode) => {
    const { app, wrapper } = await appWith(scripts);
    const run = execa(wrapper, [], { cwd: app, reject: false });
    await until(() => exists(join(app, 'seen.json')));
    run.kill('SIGTERM');
    const result = await run;
    expect(await read(join(app, 'events.txt'))).toBe(events);
    expect(result.exitCode).toBe(exitCode);
  });

  it('a failing prestart stops the start, with its exit status', async () => {
    const { app, wrapper } = await appWith({ prestart: 'exit 4', start: 'node server.js' });
    const result = await execa(wrapper, [], { cwd: app, reject: false });
    expect(result.exitCode).toBe(4);
    expect(await exists(join(app, 'seen.json'))).toBe(false);
  });
});

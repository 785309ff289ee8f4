import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BareRepos, bashHookBeside, renderPreReceiveHook, shellQuote } from './repos.js';
import { app } from './test-support.js';

describe('renderPreReceiveHook', () => {
  it('quotes paths for /bin/sh', () => {
    expect(shellQuote("/it's here")).toBe(`'/it'\\''s here'`);
    expect(renderPreReceiveHook('/usr/bin/node', '/opt/my dir/hook.mjs')).toContain(`exec '/usr/bin/node' '/opt/my dir/hook.mjs'\n`);
  });

  it('runs under /bin/sh with a path holding spaces and quotes', async () => {
    const dir = await mkdtemp(join(tmpdir(), "devflow hook's-"));
    try {
      const script = join(dir, 'hook.mjs');
      await writeFile(script, 'process.stdout.write("ran")');
      await writeFile(join(dir, 'pre-receive'), renderPreReceiveHook(process.execPath, script));
      const { stdout } = await promisify(execFile)('/bin/sh', [join(dir, 'pre-receive')]);
      expect(stdout).toBe('ran');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs hook.sh with bash when DevFlow has one beside the Node program, giving it the Node fallback', async () => {
    const dir = await mkdtemp(join(tmpdir(), "devflow hook's-"));
    try {
      const program = join(dir, 'hook.mjs');
      await writeFile(program, 'process.stdout.write("node ran")');
      expect(bashHookBeside(program)).toBeUndefined();
      await writeFile(join(dir, 'hook.sh'), 'printf "bash %s ran, then %s %s" "$BASH_VERSINFO" "$1" "$2"');
      expect(bashHookBeside(program)).toBe(join(dir, 'hook.sh'));
      await writeFile(join(dir, 'pre-receive'), renderPreReceiveHook(process.execPath, program, bashHookBeside(program)));
      const { stdout } = await promisify(execFile)('/bin/sh', [join(dir, 'pre-receive')]);
      expect(stdout).toMatch(new RegExp(`^bash \\d+ ran, then ${process.execPath} ${program.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('BareRepos', () => {
  it('creates a bare repo with an executable hook, idempotently, and removes it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'devflow-repos-'));
    try {
      const repos = new BareRepos(join(root, 'repos'), '#!/bin/sh\nexit 0\n');
      const dir = await repos.ensure(app('hello'));
      await repos.ensure(app('hello'));
      expect(dir).toBe(join(root, 'repos', 'hello.git'));
      const { stdout } = await promisify(execFile)('git', ['rev-parse', '--is-bare-repository'], { cwd: dir });
      expect(stdout.trim()).toBe('true');
      expect(await readFile(join(dir, 'HEAD'), 'utf8')).toBe('ref: refs/heads/main\n');
      expect((await stat(join(dir, 'hooks', 'pre-receive'))).mode & 0o111).toBe(0o111);
      await repos.remove(app('hello'));
      expect(existsSync(dir)).toBe(false);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

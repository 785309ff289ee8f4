/**
 * The bare repositories, one per app at `<reposDir>/<app>.git`, and the pre-receive hook each
 * carries (githooks(5)). The hook is rewritten on every ensure, so a DevFlow upgrade or a moved
 * Node binary never leaves an old path behind in existing repos.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { AppName } from '../core/names.js';
import { DevflowError } from '../core/errors.js';

const run = promisify(execFile);

export function repoPath(reposDir: string, app: AppName): string {
  return join(reposDir, `${app}.git`);
}

/** Quotes one word for /bin/sh: the paths are ours, but a space in $HOME must not split them. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The pre-receive hook: a tiny shell script that runs hook.sh with bash where there is one (no
 * Node start on the push's path), and the Node hook program with this Node otherwise; hook.sh
 * itself hands over to the Node program when it cannot do the exchange.
 */
export function renderPreReceiveHook(nodeBinary: string, hookProgram: string, bashHook?: string): string {
  const [node, program] = [shellQuote(nodeBinary), shellQuote(hookProgram)];
  return [
    '#!/bin/sh',
    '# Written by DevFlow: runs the deploy and streams its log to the pusher.',
    ...(bashHook === undefined ? [] : [`command -v bash >/dev/null 2>&1 && exec bash ${shellQuote(bashHook)} ${node} ${program}`]),
    `exec ${node} ${program}`,
    '',
  ].join('\n');
}

/** hook.sh, when it sits beside the Node hook program (DevFlow's own; a test's program may have none). */
export function bashHookBeside(hookProgram: string): string | undefined {
  const path = join(dirname(hookProgram), 'hook.sh');
  return existsSync(path) ? path : undefined;
}

/**
 * Where the plain-JS hook program lives: beside this module when running from source (tsx),
 * or in the source folder when running compiled from dist/receiver/ (tsc copies neither it nor
 * hook.sh, which sits beside it).
 */
export function defaultHookProgram(): string {
  const candidates = [new URL('./hook.mjs', import.meta.url), new URL('../../receiver/hook.mjs', import.meta.url)];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(path)) return path;
  }
  throw new DevflowError('internal', 'receiver/hook.mjs not found: pass hookProgram to GitReceiver');
}

export class BareRepos {
  constructor(
    private readonly reposDir: string,
    private readonly hookScript: string,
  ) {}

  path(app: AppName): string {
    return repoPath(this.reposDir, app);
  }

  /** Creates the bare repo if missing and (re)writes its hook. Idempotent and safe to repeat. */
  async ensure(app: AppName): Promise<string> {
    const dir = this.path(app);
    if (!existsSync(join(dir, 'HEAD'))) {
      await mkdir(this.reposDir, { recursive: true });
      // main as HEAD so a clone checks out what the user pushed to the default deploy branch.
      await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', dir]);
    }
    await this.writeHook(dir);
    return dir;
  }

  async remove(app: AppName): Promise<void> {
    await rm(this.path(app), { recursive: true, force: true });
  }

  private async writeHook(dir: string): Promise<void> {
    const hookPath = join(dir, 'hooks', 'pre-receive');
    const current = await readFile(hookPath, 'utf8').catch(() => null);
    if (current === this.hookScript) return;
    // Write then rename, so a push running right now never executes a half-written hook.
    await mkdir(join(dir, 'hooks'), { recursive: true });
    const temp = `${hookPath}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, this.hookScript, { mode: 0o755 });
    await chmod(temp, 0o755);
    await rename(temp, hookPath);
  }
}

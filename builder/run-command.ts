/**
 * Runs one build command (an argument array, never a shell string) and streams every output
 * line to the build log, keeping the last lines so a failure can show them to the user.
 */
import { execa } from 'execa';
import type { LogSink } from '../core/types.js';

export const TAIL_LINES = 20;

/** Keeps the last `size` lines written to it. */
export class LineTail {
  private readonly lines: string[] = [];
  constructor(private readonly size = TAIL_LINES) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
  }

  get(): string[] {
    return [...this.lines];
  }
}

/** A sink that writes to the build log and remembers the tail. */
export function teeLog(log: LogSink, tail: LineTail): LogSink {
  return {
    line(text) {
      tail.push(text);
      log.line(text);
    },
  };
}

export interface CommandSpec {
  file: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Replace the whole environment instead of extending the parent's. */
  cleanEnv?: boolean;
  stdin?: 'ignore' | string;
  /**
   * Stops the command when it aborts: the command runs in a process group of its own, and the
   * whole group is killed, so what it started (a buildpack's npm, a `sleep` in a script) goes too.
   */
  signal?: AbortSignal;
}

export interface CommandOutcome {
  exitCode: number;
  tail: string[];
}

/** Runs the command to completion; never throws on a non-zero exit (the caller knows the phase). */
export async function runCommand(spec: CommandSpec, log: LogSink): Promise<CommandOutcome> {
  const tail = new LineTail();
  const sink = teeLog(log, tail);
  const child = execa(spec.file, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: !spec.cleanEnv,
    reject: false,
    all: true,
    buffer: false,
    stdin: spec.stdin === undefined || spec.stdin === 'ignore' ? 'ignore' : 'pipe',
    input: spec.stdin !== undefined && spec.stdin !== 'ignore' ? spec.stdin : undefined,
    stripFinalNewline: false,
    detached: spec.signal !== undefined,
  });
  const kill = () => killGroup(child.pid);
  spec.signal?.addEventListener('abort', kill, { once: true });
  if (spec.signal?.aborted) kill();
  const reading = (async () => {
    for await (const line of child.iterable({ from: 'all' })) sink.line(String(line));
  })();
  const result = await child;
  spec.signal?.removeEventListener('abort', kill);
  await reading.catch(() => undefined);
  // A command stopped on purpose says nothing of its own: the caller says why it was stopped.
  if (result.failed && result.exitCode === undefined && spec.signal?.aborted !== true) {
    sink.line(result.shortMessage ?? result.message ?? `${spec.file} could not run`);
  }
  return { exitCode: result.exitCode ?? 127, tail: tail.get() };
}

/** SIGKILL to a detached command's process group; a group already gone is no error. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: every process of the group has exited.
  }
}

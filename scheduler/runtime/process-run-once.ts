/**
 * The process runtime's one-off runs (the release phase): the slug's command as a child process
 * in its own process group (so a timeout kills everything it forked), output piped line by line.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { LineCollector } from './line-stream.js';
import { processCommand, processEnvironment } from './process-plan.js';
import type { InstanceSpec, RunOnceOptions, RunOnceResult } from './types.js';

export async function runOnceAsProcess(spec: InstanceSpec, options: RunOnceOptions, port: number): Promise<RunOnceResult> {
  const command = processCommand(spec.artifact, spec.processType, spec.command);
  const slugEnv = spec.artifact.kind === 'slug' ? spec.artifact.env : {};
  const env = processEnvironment(process.env, slugEnv, spec.env, port);
  const child = spawn(command.file, command.args, { cwd: command.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const collector = new LineCollector(options.onLine);
  child.stdout.pipe(collector.stream());
  child.stderr.pipe(collector.stream());
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, options.timeoutMs);
  const abort = () => killGroup(child.pid);
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
    return { exitCode, output: collector.lines, timedOut };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abort);
    // Whatever the command left running in its group ends with it.
    killGroup(child.pid);
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

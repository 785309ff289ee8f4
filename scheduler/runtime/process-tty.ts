/**
 * The process runtime's `devflow run --tty`: the slug's one-off command on a pseudo-terminal
 * (node-pty: forkpty(3), a real pty whose size the kernel reports to `stty size` and whose
 * TIOCSWINSZ resize sends SIGWINCH). node-pty is loaded on the first interactive run only, so
 * an idle DevFlow does not carry it (issue 23). The shell is a session leader on the pty, so
 * killing its process group ends whatever it started.
 */
import { processCommand, processEnvironment } from './process-plan.js';
import type { InstanceSpec, TtyOptions, TtySession } from './types.js';

export async function runTtyAsProcess(spec: InstanceSpec, options: TtyOptions, port: number): Promise<TtySession> {
  const pty = await import('node-pty');
  const command = processCommand(spec.artifact, spec.processType, spec.command);
  const slugEnv = spec.artifact.kind === 'slug' ? spec.artifact.env : {};
  const env = { ...processEnvironment(process.env, slugEnv, spec.env, port), TERM: 'xterm-256color' };
  const child = pty.spawn(command.file, command.args, { name: 'xterm-256color', cols: options.cols, rows: options.rows, cwd: command.cwd, env });
  child.onData((text) => options.onData(Buffer.from(text, 'utf8')));
  let timedOut = false;
  const killGroup = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, options.timeoutMs);
  if (options.signal?.aborted) killGroup();
  options.signal?.addEventListener('abort', killGroup, { once: true });
  const exited = new Promise<{ exitCode: number; timedOut: boolean }>((resolve) => {
    child.onExit(({ exitCode, signal }) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', killGroup);
      killGroup();
      resolve({ exitCode: signal ? 128 + signal : exitCode, timedOut });
    });
  });
  let ended = false;
  void exited.then(() => (ended = true));
  return {
    write: (data) => {
      if (!ended) child.write(data);
    },
    resize: (rows, cols) => {
      if (!ended) child.resize(cols, rows);
    },
    exited,
  };
}

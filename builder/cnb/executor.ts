/**
 * Where buildpack commands run. The lifecycle itself stays in TypeScript on the host and only
 * hands commands to an executor: the host executor runs them directly (slug builds for the
 * process runtime); the container executor runs them inside the stack's build image with the
 * workspace mounted (image builds). Paths passed to commands are the executor's `view` paths.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogSink } from '../../core/types.js';
import { runCommand, type CommandOutcome } from '../run-command.js';

/** The directories a build works in. Host paths in the lifecycle, mapped paths in `view`. */
export interface Workspace {
  appDir: string;
  layersDir: string;
  buildpacksDir: string;
  platformDir: string;
  /** Plans, HOME and other scratch files. */
  scratchDir: string;
  /** The CA bundle commands should trust, or null. */
  caFile: string | null;
}

export interface ExecCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface Executor {
  readonly kind: 'host' | 'container';
  /** The workspace as commands see it. */
  readonly view: Workspace;
  /** PATH before any layer adds to it. */
  readonly basePath: string;
  run(command: ExecCommand, log: LogSink): Promise<CommandOutcome>;
  /** Nothing more will run: what the executor holds may serve the app's next build. */
  release(): Promise<void>;
  /**
   * Frees what was not released (after a failure), stopping any command still running (a build
   * past its time limit); after release() it waits for that.
   */
  close(): Promise<void>;
}

const WORKSPACE_KEYS = ['appDir', 'layersDir', 'buildpacksDir', 'platformDir', 'scratchDir'] as const;

/** Maps a host path inside one of the workspace directories to the path commands see. */
export function viewPath(ws: Workspace, view: Workspace, hostPath: string): string {
  for (const key of WORKSPACE_KEYS) {
    const root = ws[key];
    if (hostPath === root || hostPath.startsWith(`${root}/`)) return view[key] + hostPath.slice(root.length);
  }
  throw new Error(`${hostPath} is outside the build workspace`);
}

/** Runs buildpacks on the host with a clean environment, so the server's secrets never leak in. */
export async function openHostExecutor(ws: Workspace): Promise<Executor> {
  const home = join(ws.scratchDir, 'home');
  await mkdir(home, { recursive: true });
  const basePath = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
  // close() stops what still runs (a build stopped by its time limit): each command's process group.
  const closing = new AbortController();
  return {
    kind: 'host',
    view: ws,
    basePath,
    run: (command, log) =>
      runCommand(
        {
          file: command.file,
          args: command.args,
          cwd: command.cwd,
          env: { HOME: home, LANG: 'C.UTF-8', PATH: basePath, ...command.env },
          cleanEnv: true,
          signal: closing.signal,
        },
        log,
      ),
    release: async () => undefined,
    close: async () => closing.abort(),
  };
}

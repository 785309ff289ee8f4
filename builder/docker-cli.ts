/**
 * `docker build` through the Docker CLI with BuildKit: dockerode cannot open the BuildKit
 * session that secrets (`--secret id=ca`) need, and the CLI honours .dockerignore for us.
 * The command is an argument array; a build that fails leaves no tag behind.
 */
import { existsSync } from 'node:fs';
import { BuildError } from '../core/errors.js';
import { readDockerCli } from '../core/settings.js';
import type { LogSink } from '../core/types.js';
import { runCommand } from './run-command.js';

export interface CliBuildOptions {
  contextDir: string;
  /** Dockerfile path; default `<contextDir>/Dockerfile`. */
  dockerfile?: string;
  tag: string;
  labels?: Record<string, string>;
  buildArgs?: Record<string, string>;
  secrets?: { id: string; src: string }[];
  phase: string;
  log: LogSink;
  /** Ends the build: the CLI is killed (the engine then cancels the build) and the signal's reason is thrown. */
  signal?: AbortSignal;
}

/**
 * Debian's client (/usr/bin/docker) runs BuildKit builds by itself; newer clients earlier on PATH
 * may insist on a buildx plugin that is not installed, so the distribution's client is preferred.
 */
export const DOCKER_CLI = readDockerCli(process.env) ?? (existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker');

/** The argument array for `docker build`; pure so tests can check it without Docker. */
export function dockerBuildArgs(opts: Omit<CliBuildOptions, 'phase' | 'log' | 'signal'>): string[] {
  const args = ['build', '--progress=plain', '--tag', opts.tag];
  for (const [k, v] of Object.entries(opts.labels ?? {})) args.push('--label', `${k}=${v}`);
  for (const [k, v] of Object.entries(opts.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  for (const s of opts.secrets ?? []) args.push('--secret', `id=${s.id},src=${s.src}`);
  if (opts.dockerfile) args.push('--file', opts.dockerfile);
  args.push(opts.contextDir);
  return args;
}

export async function dockerCliBuild(opts: CliBuildOptions): Promise<void> {
  const outcome = await runCommand(
    { file: DOCKER_CLI, args: dockerBuildArgs(opts), env: { DOCKER_BUILDKIT: '1' }, signal: opts.signal },
    opts.log,
  );
  opts.signal?.throwIfAborted();
  if (outcome.exitCode !== 0) {
    throw new BuildError(opts.phase, `docker build exited ${outcome.exitCode}`, outcome.tail);
  }
}

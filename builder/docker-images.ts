/**
 * Small dockerode helpers shared by the stack and the exporter: does an image exist, and build
 * an image from a directory (streamed as a tar context) while logging every output line.
 */
import type Docker from 'dockerode';
import { execa } from 'execa';
import { BuildError } from '../core/errors.js';
import type { LogSink } from '../core/types.js';
import { LineTail, teeLog } from './run-command.js';

export async function imageExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch {
    return false;
  }
}

interface ProgressEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Streams a directory as a tar archive (the `tar` CLI handles symlinks and modes faithfully). */
export function tarDirectory(dir: string): NodeJS.ReadableStream {
  const child = execa('tar', ['-c', '-C', dir, '.'], { encoding: 'buffer', buffer: false });
  child.catch(() => undefined); // a broken tar shows up as a failed build below
  if (!child.stdout) throw new Error('tar produced no output stream');
  return child.stdout;
}

/** Builds `contextDir` (which holds its own Dockerfile) into `tag`, failing with a BuildError. */
export async function buildImageFromDir(
  docker: Docker,
  opts: { contextDir: string; tag: string; labels?: Record<string, string>; phase: string; log: LogSink },
): Promise<void> {
  const tail = new LineTail();
  const sink = teeLog(opts.log, tail);
  const stream = await docker.buildImage(tarDirectory(opts.contextDir) as unknown as NodeJS.ReadableStream, {
    t: opts.tag,
    labels: opts.labels,
    rm: true,
    forcerm: true,
  });
  let failure: string | undefined;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (event: ProgressEvent) => {
        const text = event.stream ?? event.status;
        if (text) for (const line of text.replace(/\n$/, '').split('\n')) sink.line(line);
        if (event.error) failure = event.errorDetail?.message ?? event.error;
      },
    );
  }).catch((err: unknown) => {
    failure ??= err instanceof Error ? err.message : String(err);
  });
  if (failure) throw new BuildError(opts.phase, `docker build of ${opts.tag} failed: ${failure}`, tail.get());
}

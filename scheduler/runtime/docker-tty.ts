/**
 * The docker runtime's `devflow run --tty` (as `docker run -it`): a container of the release's
 * image with Tty and OpenStdin, attached (hijacked: one raw stream both ways, no multiplexing
 * with a TTY) before it starts, resized through the engine's resize endpoint, killed when the
 * client goes away or the timeout passes, and removed afterwards. The engine (API 1.41 here)
 * has no initial console size at create time, so the size is set right after start, as the
 * docker CLI does.
 */
import type Docker from 'dockerode';
import { withContext } from '../../core/errors.js';
import { LABEL, containerCreateOptions, containerName } from './docker-plan.js';
import { randomSuffix } from './naming.js';
import type { InstanceSpec, ReadOnlyMount, TtyOptions, TtySession } from './types.js';

export function ttyCreateOptions(spec: InstanceSpec, name: string, labels: Record<string, string>, mounts: readonly ReadOnlyMount[]): Docker.ContainerCreateOptions {
  const create = containerCreateOptions(spec, name, mounts);
  return {
    ...create,
    Tty: true,
    OpenStdin: true,
    StdinOnce: false,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Env: [...(create.Env ?? []), 'TERM=xterm-256color'],
    // A one-off is no instance of the formation: the reconciler leaves it alone (docker-run-once.ts).
    Labels: { ...create.Labels, ...labels, [LABEL.managed]: 'one-off' },
    HostConfig: { ...create.HostConfig, RestartPolicy: { Name: 'no' } },
  };
}

export async function runTtyInDocker(
  docker: Docker,
  spec: InstanceSpec,
  options: TtyOptions,
  labels: Record<string, string>,
  mounts: readonly ReadOnlyMount[] = [],
): Promise<TtySession> {
  const container = await docker.createContainer(ttyCreateOptions(spec, containerName(spec, randomSuffix()), labels, mounts))
    .catch((err: unknown) => {
      throw withContext(`creating the ${spec.processType} container`, err);
    });
  try {
    const stream = await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
    stream.on('data', (chunk: Buffer) => options.onData(chunk));
    stream.on('error', () => {});
    await container.start();
    // Asked after start, as "not-running": it answers at the exit, or at once when the command
    // already ended. A "next-exit" wait sent before start (dockerode does not wait for the
    // engine to take it) could reach the engine after the exit, and then wait for none.
    const waited = container.wait({ condition: 'not-running' }) as Promise<{ StatusCode: number }>;
    await container.resize({ h: options.rows, w: options.cols }).catch(() => {});
    const exited = endOf(container, waited, stream, options);
    let ended = false;
    void exited.then(() => (ended = true));
    return {
      write: (data) => {
        if (!ended) stream.write(data);
      },
      resize: (rows, cols) => {
        if (!ended) void container.resize({ h: rows, w: cols }).catch(() => {});
      },
      exited,
    };
  } catch (err) {
    await container.remove({ force: true }).catch(() => {});
    throw withContext(`starting the ${spec.processType} container`, err);
  }
}

/** Waits for the exit (or kills on timeout/abort), lets the last output arrive, removes the container. */
async function endOf(
  container: Docker.Container, waited: Promise<{ StatusCode: number }>, stream: NodeJS.ReadWriteStream, options: TtyOptions,
): Promise<{ exitCode: number; timedOut: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), options.timeoutMs)));
  const aborted = new Promise<'aborted'>((resolve) => {
    if (options.signal?.aborted) resolve('aborted');
    options.signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  try {
    const outcome = await Promise.race([waited.then(() => 'exited' as const, () => 'exited' as const), timeout, aborted]);
    clearTimeout(timer);
    if (outcome !== 'exited') await container.kill().catch(() => {});
    const status = await waited.catch(() => ({ StatusCode: 137 }));
    const streamEnded = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
    });
    await Promise.race([streamEnded, new Promise((r) => setTimeout(r, 1000))]);
    return { exitCode: status.StatusCode, timedOut: outcome === 'timeout' };
  } finally {
    (stream as NodeJS.ReadWriteStream & { destroy?: () => void }).destroy?.();
    await container.remove({ force: true }).catch(() => {});
  }
}

/**
 * The docker runtime's one-off runs (the release phase): a container of the release's image
 * running the process type, attached before it starts so no output is lost, waited for, then
 * removed. It carries the usual labels, so if DevFlow dies meanwhile the reconciler finds it
 * (a type no formation wants) and removes it.
 */
import type Docker from 'dockerode';
import { withContext } from '../../core/errors.js';
import { LABEL, containerCreateOptions, containerName } from './docker-plan.js';
import { LineCollector } from './line-stream.js';
import { randomSuffix } from './naming.js';
import type { InstanceSpec, ReadOnlyMount, RunOnceOptions, RunOnceResult } from './types.js';

export async function runOnceInDocker(
  docker: Docker,
  spec: InstanceSpec,
  options: RunOnceOptions,
  labels: Record<string, string>,
  mounts: readonly ReadOnlyMount[] = [],
): Promise<RunOnceResult> {
  const name = containerName(spec, randomSuffix());
  const create = containerCreateOptions(spec, name, mounts);
  create.Labels = { ...create.Labels, ...labels };
  // A one-off command is no instance of the formation: the reconciler must not stop it, so it
  // is not marked as managed (runs are tracked by addons/runs, which removes them).
  if (spec.command !== undefined) create.Labels[LABEL.managed] = 'one-off';
  create.HostConfig = { ...create.HostConfig, RestartPolicy: { Name: 'no' } };
  const container = await docker.createContainer(create).catch((err: unknown) => {
    throw withContext(`creating the ${spec.processType} container`, err);
  });
  try {
    const collector = new LineCollector(options.onLine);
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const out = collector.stream();
    const err = collector.stream();
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    docker.modem.demuxStream(stream, out, err);
    await container.start();
    // Asked after start, as "not-running", which answers at once for a command that already
    // ended; a "next-exit" wait sent before start can reach the engine after the exit and hang.
    const waited = container.wait({ condition: 'not-running' }) as Promise<{ StatusCode: number }>;
    const timedOut = await killAfter(container, waited, options.timeoutMs, options.signal);
    const { StatusCode } = await waited;
    // The attach stream ends with the container; a short wait lets its last lines arrive.
    await Promise.race([ended, new Promise((r) => setTimeout(r, 2000))]);
    out.end();
    err.end();
    return { exitCode: StatusCode, output: collector.lines, timedOut };
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
}

async function killAfter(container: Docker.Container, waited: Promise<unknown>, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal?.aborted) resolve('aborted');
    signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  const outcome = await Promise.race([waited.then(() => 'exited' as const), timeout, aborted]);
  clearTimeout(timer);
  if (outcome !== 'exited') await container.kill().catch(() => {});
  return outcome === 'timeout';
}

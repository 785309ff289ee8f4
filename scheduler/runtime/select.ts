/**
 * The ONE place a runtime driver is chosen (DESIGN.md: runtime = docker | process | swarm,
 * default auto: "Docker when an engine answers, else the process runtime").
 */
import Docker from 'dockerode';
import { DevflowError } from '../../core/errors.js';
import type { RuntimeKind } from '../../core/types.js';
import { DockerRuntime } from './docker.js';
import { ProcessRuntime } from './process.js';
import { detectCgroups } from './process-limits.js';
import { SwarmRuntime } from './swarm.js';
import type { RuntimeDriver } from './types.js';

/** A local engine answers a ping in milliseconds; waiting longer only delays `devflow up`. */
export const DOCKER_PING_TIMEOUT_MS = 1_000;

export interface SelectRuntimeOptions {
  /** DEVFLOW_RUNTIME; undefined means 'auto'. */
  requested?: RuntimeKind | 'auto';
  /** DEVFLOW_HOME, where the process runtime keeps its state. */
  home: string;
  /** The engine to use; default: DOCKER_HOST or /var/run/docker.sock. */
  docker?: Docker;
}

export async function dockerAnswers(docker: Docker, timeoutMs = DOCKER_PING_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = docker.ping().then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function selectRuntime(options: SelectRuntimeOptions): Promise<RuntimeDriver> {
  const docker = options.docker ?? new Docker();
  const requested = options.requested ?? 'auto';
  const kind: RuntimeKind =
    requested === 'auto' ? ((await dockerAnswers(docker)) ? 'docker' : 'process') : requested;
  switch (kind) {
    case 'docker':
      if (requested === 'docker' && !(await dockerAnswers(docker))) {
        throw new DevflowError(
          'runtime_unavailable',
          'DEVFLOW_RUNTIME=docker, but no Docker engine answers: start dockerd (or set DOCKER_HOST), ' +
            'or use DEVFLOW_RUNTIME=process',
        );
      }
      return new DockerRuntime(docker, options.home);
    case 'process':
      return new ProcessRuntime({ home: options.home, cgroups: await detectCgroups() });
    case 'swarm':
      if (!(await dockerAnswers(docker))) {
        throw new DevflowError('runtime_unavailable', 'DEVFLOW_RUNTIME=swarm, but no Docker engine answers: start dockerd (or set DOCKER_HOST)');
      }
      await SwarmRuntime.assertActive(docker);
      return new SwarmRuntime(docker, options.home);
    default: {
      const unknown: never = kind;
      throw new DevflowError('invalid_input', `unknown runtime "${String(unknown)}": use docker, process or swarm`);
    }
  }
}

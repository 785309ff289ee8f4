/**
 * The ONE place a runtime driver is chosen (DESIGN.md: runtime = docker | process | swarm,
 * default auto: "Docker when an engine answers, else the process runtime").
 *
 * The docker and swarm drivers (and dockerode beneath them) load only when chosen: whether an
 * engine answers is a plain HTTP request (core/docker-engine.ts), so the process runtime never
 * loads them (issue 23).
 */
import { DevflowError } from '../../core/errors.js';
import { dockerClient, engineAddressFromEnv, engineAnswers, type EngineAddress } from '../../core/docker-engine.js';
import { deferDockerodeExtras } from '../../core/dockerode-extras.js';
import type { RuntimeKind } from '../../core/types.js';
import { ProcessRuntime } from './process.js';
import { detectCgroups } from './process-limits.js';
import type { ReadOnlyMount, RuntimeDriver } from './types.js';

/** A local engine answers a ping in milliseconds; waiting longer only delays `devflow up`. */
export const DOCKER_PING_TIMEOUT_MS = 1_000;

export interface SelectRuntimeOptions {
  /** DEVFLOW_RUNTIME; undefined means 'auto'. */
  requested?: RuntimeKind | 'auto';
  /** DEVFLOW_HOME, where the process runtime keeps its state. */
  home: string;
  /** The engine to use; default: the one dockerode finds (DOCKER_HOST or /var/run/docker.sock). */
  engine?: EngineAddress;
  /** Directories every container sees read-only (telemetry's Node agent): bind mounts on docker, configs on swarm. */
  readOnlyMounts?: readonly ReadOnlyMount[];
  /** The docker runtime's network holders' image (docker-netns.ts); without it, none are made. */
  netnsHolderImage?: string;
  /** DEVFLOW_MAX_RESTARTS: restarts of a crashing instance before its slot is crashed (default 5). */
  maxRestarts?: number;
}

/** Whether the engine (default: the environment's) answers a ping within `timeoutMs`. */
export function dockerAnswers(engine = engineAddressFromEnv(process.env), timeoutMs = DOCKER_PING_TIMEOUT_MS): Promise<boolean> {
  return engineAnswers(engine, timeoutMs);
}

export async function selectRuntime(options: SelectRuntimeOptions): Promise<RuntimeDriver> {
  const engine = options.engine ?? engineAddressFromEnv(process.env);
  const requested = options.requested ?? 'auto';
  const restarts = options.maxRestarts === undefined ? {} : { maxRestarts: options.maxRestarts };
  const kind: RuntimeKind =
    requested === 'auto' ? ((await dockerAnswers(engine)) ? 'docker' : 'process') : requested;
  switch (kind) {
    case 'docker': {
      if (requested === 'docker' && !(await dockerAnswers(engine))) {
        throw new DevflowError(
          'runtime_unavailable',
          'DEVFLOW_RUNTIME=docker, but no Docker engine answers: start dockerd (or set DOCKER_HOST), ' +
            'or use DEVFLOW_RUNTIME=process',
        );
      }
      const { DockerRuntime } = await loadDockerDriver();
      return new DockerRuntime(await dockerClient(options.engine), options.home, options.readOnlyMounts, { ...restarts, netnsHolderImage: options.netnsHolderImage });
    }
    case 'process':
      return new ProcessRuntime({ home: options.home, cgroups: await detectCgroups(), ...restarts });
    case 'swarm': {
      if (!(await dockerAnswers(engine))) {
        throw new DevflowError('runtime_unavailable', 'DEVFLOW_RUNTIME=swarm, but no Docker engine answers: start dockerd (or set DOCKER_HOST)');
      }
      const { SwarmRuntime } = await loadSwarmDriver();
      const docker = await dockerClient(options.engine);
      await SwarmRuntime.assertActive(docker);
      return new SwarmRuntime(docker, options.home, options.readOnlyMounts, restarts);
    }
    default: {
      const unknown: never = kind;
      throw new DevflowError('invalid_input', `unknown runtime "${String(unknown)}": use docker, process or swarm`);
    }
  }
}

/** The docker driver with dockerode, loaded when the docker runtime is chosen. */
function loadDockerDriver(): Promise<typeof import('./docker.js')> {
  deferDockerodeExtras();
  return import('./docker.js');
}

/** The swarm driver (and the docker driver it builds images with), loaded when chosen. */
function loadSwarmDriver(): Promise<typeof import('./swarm.js')> {
  deferDockerodeExtras();
  return import('./swarm.js');
}

/**
 * Pure planning for the docker runtime: container names, labels, command and the create request
 * (Docker Engine API, POST /containers/create). Kept free of I/O so tests check the data without
 * an engine, as Kamal does with its command arrays.
 */
import type Docker from 'dockerode';
import { InvalidInputError } from '../../core/errors.js';
import { DEFAULT_MAX_RESTARTS } from '../../core/settings.js';
import { parseStoredAppName, parseProcessType, type ProcessType } from '../../core/names.js';
import type { Artifact, Instance } from '../../core/types.js';
import { PUBLISHED, type UpstreamRoute } from './docker-upstream.js';
import { instanceName, type InstanceIdentity } from './naming.js';
import { CONTAINER_PORT, type InstanceSpec, type ReadOnlyMount } from './types.js';

export const LABEL = {
  app: 'devflow.app',
  release: 'devflow.release',
  process: 'devflow.process',
  slot: 'devflow.slot',
  managed: 'devflow.managed',
} as const;


const PORT_KEY = `${CONTAINER_PORT}/tcp`;

export function containerName(identity: InstanceIdentity, suffix: string): string {
  return `devflow-${instanceName(identity, suffix)}`;
}

export function containerLabels(identity: InstanceIdentity): Record<string, string> {
  return {
    [LABEL.app]: identity.app,
    [LABEL.release]: String(identity.release),
    [LABEL.process]: identity.processType,
    [LABEL.slot]: String(identity.slot),
    [LABEL.managed]: 'true',
  };
}

/** Reads our labels back; null for containers whose labels are missing or were edited by hand. */
export function identityFromLabels(labels: Record<string, string> | undefined): InstanceIdentity | null {
  if (labels?.[LABEL.managed] !== 'true') return null;
  const release = Number(labels[LABEL.release]);
  const slot = Number(labels[LABEL.slot]);
  if (!Number.isInteger(release) || release < 1 || !Number.isInteger(slot) || slot < 1) return null;
  try {
    return {
      app: parseStoredAppName(labels[LABEL.app]),
      processType: parseProcessType(labels[LABEL.process]),
      release,
      slot,
    };
  } catch {
    return null;
  }
}

/** What overrides the image's ENTRYPOINT and CMD for one process type (absent: the image's own). */
export interface ContainerCommand {
  entrypoint?: string[];
  cmd?: string[];
}

/**
 * The container command for one process type. Buildpack images have the CNB launcher as their
 * ENTRYPOINT, which takes the process type as its argument and looks the command up in its own
 * launch metadata, so Cmd = [type]. A Dockerfile image runs a Procfile line under `/bin/sh -c`
 * (the line is one argument, never re-split), and its own ENTRYPOINT and CMD for an empty command.
 */
export function containerCommand(artifact: Artifact, processType: ProcessType, oneOff?: string): ContainerCommand {
  imageOf(artifact);
  if (oneOff !== undefined) return oneOffCommand(artifact, oneOff);
  const command = artifact.processes[processType];
  if (command === undefined) {
    const known = Object.keys(artifact.processes).join(', ') || 'none';
    throw new InvalidInputError(`process type "${processType}" is not in this release (it has: ${known})`);
  }
  if (command === '') return {};
  if (artifact.kind === 'image' && artifact.launch === 'shell') return { entrypoint: ['/bin/sh', '-c'], cmd: [command] };
  return { cmd: [processType] };
}

/**
 * A one-off command runs under `/bin/sh -c`: in a buildpack image through the launcher's
 * `-- cmd args…` form, so it gets the launch environment (PATH to node and friends) as
 * processes do; in a Dockerfile image in place of its ENTRYPOINT.
 */
function oneOffCommand(artifact: Artifact, command: string): ContainerCommand {
  if (artifact.kind === 'image' && artifact.launch === 'shell') return { entrypoint: ['/bin/sh', '-c'], cmd: [command] };
  return { cmd: ['--', '/bin/sh', '-c', command] };
}

export function imageOf(artifact: Artifact): string {
  if (artifact.kind !== 'image') {
    throw new InvalidInputError(
      'the docker runtime runs images, but this release was built as a slug: use the process runtime',
    );
  }
  return artifact.image;
}

/** Every process gets PORT=5000 (Heroku-style); only web's is reached (docker-upstream.ts). */
export function containerEnv(env: Record<string, string>): string[] {
  const entries = Object.entries(env).filter(([key]) => key !== 'PORT');
  return [...entries.map(([key, value]) => `${key}=${value}`), `PORT=${CONTAINER_PORT}`];
}

/** Docker's `Binds` entries for read-only mounts. */
export function readOnlyBinds(mounts: readonly ReadOnlyMount[]): string[] {
  return mounts.map((m) => `${m.hostPath}:${m.containerPath}:ro`);
}

/**
 * The create request. On the published route (docker-upstream.ts) web's port is published on
 * 127.0.0.1 (an empty HostPort asks the engine for an ephemeral port; 127.0.0.1 keeps the app
 * reachable only through the router) and every container joins the default bridge; on the bridge
 * route nothing is published and every container joins the route's network, or, given a `holder`
 * (docker-netns.ts), that container's network namespace, which is on the route's network already.
 * The engine restarts a container that exits with a failure `maxRestarts` times
 * (DEVFLOW_MAX_RESTARTS), then leaves it exited for the supervisor to count (scheduler/crash-loop.ts).
 */
export function containerCreateOptions(
  spec: InstanceSpec, name: string, mounts: readonly ReadOnlyMount[] = [], route: UpstreamRoute = PUBLISHED,
  maxRestarts: number = DEFAULT_MAX_RESTARTS, holder?: string,
): Docker.ContainerCreateOptions {
  const image = imageOf(spec.artifact);
  const command = containerCommand(spec.artifact, spec.processType, spec.command);
  const isWeb = spec.processType === 'web';
  const joins = holder !== undefined && route.kind === 'bridge';
  return {
    name,
    Image: image,
    ...(command.entrypoint === undefined ? {} : { Entrypoint: command.entrypoint }),
    ...(command.cmd === undefined ? {} : { Cmd: command.cmd }),
    Env: containerEnv(spec.env),
    Labels: containerLabels(spec),
    // The engine refuses exposed ports on a container that joins another's namespace.
    ...(isWeb && !joins ? { ExposedPorts: { [PORT_KEY]: {} } } : {}),
    HostConfig: {
      ...(route.kind === 'bridge' ? { NetworkMode: joins ? `container:${holder}` : route.network } : {}),
      ...(isWeb && route.kind === 'published' ? { PortBindings: { [PORT_KEY]: [{ HostIp: '127.0.0.1', HostPort: '' }] } } : {}),
      ...(spec.memoryMb === undefined ? {} : { Memory: Math.round(spec.memoryMb * 1024 * 1024) }),
      ...(spec.cpus === undefined ? {} : { NanoCpus: Math.round(spec.cpus * 1e9) }),
      ...(mounts.length === 0 ? {} : { Binds: readOnlyBinds(mounts) }),
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: maxRestarts },
      // The engine's init (tini) as PID 1 passes SIGTERM on to the app. A process that is PID 1
      // itself gets no default signal action: a Node app with no SIGTERM handler ignored the stop
      // and was killed at the end of the grace period, 10 s later, where on the process runtime
      // (and on Heroku) SIGTERM ends it at once. The init also reaps the app's orphaned children.
      Init: true,
    },
  };
}

/** Docker's container states, folded into DevFlow's three. */
export function instanceStateFromDocker(state: string): Instance['state'] {
  switch (state) {
    case 'running':
      return 'running';
    case 'created':
    case 'restarting':
    case 'paused':
      return 'starting';
    default:
      return 'exited';
  }
}

export interface PublishedPort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/** The host side of the published web port, from `docker ps` (listContainers) data. */
export function publishedPortFromPorts(ports: readonly PublishedPort[]): number | undefined {
  const published = ports.find(
    (p) => p.PrivatePort === CONTAINER_PORT && p.Type === 'tcp' && p.PublicPort !== undefined && p.PublicPort > 0,
  );
  return published?.PublicPort;
}

/** The host side of the published web port, from `docker inspect` data. */
export function publishedPortFromInspect(
  ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | undefined,
): number | undefined {
  const binding = ports?.[PORT_KEY]?.find((b) => Number(b.HostPort) > 0);
  return binding === undefined ? undefined : Number(binding.HostPort);
}

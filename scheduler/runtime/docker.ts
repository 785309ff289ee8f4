/**
 * The docker runtime driver: one container per instance on the local Docker engine, through
 * dockerode (Docker Engine API). Containers carry `devflow.*` labels, so list() rebuilds the
 * picture from the engine alone after a DevFlow restart. Images are built locally; this driver
 * never pulls.
 */
import Docker from 'dockerode';
import { ConflictError, NotFoundError, withContext } from '../../core/errors.js';
import { DEFAULT_MAX_RESTARTS } from '../../core/settings.js';
import type { AppName } from '../../core/names.js';
import type { Artifact, Instance } from '../../core/types.js';
import {
  LABEL,
  containerCreateOptions,
  containerName,
  identityFromLabels,
  instanceStateFromDocker,
  publishedPortFromInspect,
  publishedPortFromPorts,
} from './docker-plan.js';
import { decideUpstreamRoute } from './docker-network.js';
import { HOLDER_MANAGED, NetnsHolders, joinedHolder, orphanHolders, type Holder } from './docker-netns.js';
import { PUBLISHED, webUpstream, type UpstreamRoute } from './docker-upstream.js';
import { demuxDockerLogLines, lastLines } from './log-lines.js';
import { readEngineLog } from './log-reads.js';
import { DockerLogGate } from './docker-log-gate.js';
import { assertInstanceId, assertSlotAndRelease, randomSuffix } from './naming.js';
import {
  DEFAULT_GRACE_MS,
  DEFAULT_LOG_TAIL,
  type InstanceSpec,
  type LogRead,
  type LogsOptions,
  type ReadOnlyMount,
  type RunOnceOptions,
  type TtyOptions,
  type TtySession,
  type RunOnceResult,
  type RuntimeDriver,
  type UsageReading,
  type StopOptions,
} from './types.js';
import { runOnceInDocker } from './docker-run-once.js';
import { runTtyInDocker } from './docker-tty.js';
import { engineStatsUsage, type EngineStats } from './usage.js';

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Awaits a Docker call, treating the listed HTTP statuses (already stopped, gone) as success. */
async function ignoringStatus(call: Promise<unknown>, statuses: number[]): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!statuses.includes(statusOf(err) ?? -1)) throw err;
  }
}

export const OWNER_LABEL = 'devflow.home';

/** One container's CPU time and memory from the engine's one-shot stats (usage.ts); null when it is gone. */
export async function readContainerUsage(docker: Docker, containerId: string): Promise<{ cpuNs: number; memoryBytes: number } | null> {
  const stats = await docker.getContainer(containerId).stats({ stream: false, 'one-shot': true } as { stream: false })
    .catch(() => undefined) as EngineStats | undefined;
  return stats === undefined ? null : engineStatsUsage(stats);
}

export interface DockerRuntimeOptions {
  /**
   * How web containers are reached (docker-upstream.ts): 'auto' (default) routes to their
   * address on DevFlow's bridge network when this host can reach it, else publishes a port;
   * 'published' always publishes one.
   */
  upstreams?: 'auto' | 'published';
  /**
   * The image of network holders (docker-netns.ts: the stack's run image, which has `sleep`);
   * without one, or on the published route, no holders are prepared.
   */
  netnsHolderImage?: string;
  /** DEVFLOW_MAX_RESTARTS: the engine's restarts of a crashing container (default 5). */
  maxRestarts?: number;
}

export class DockerRuntime implements RuntimeDriver {
  readonly kind = 'docker' as const;
  readonly maxRestarts: number;
  /** Asks the engine for new output only when the container's log file moved (docker-log-gate.ts). */
  private readonly logGate = new DockerLogGate();
  /** Decided on the first start or listing, once per driver; a failed decision is tried again. */
  private route: Promise<UpstreamRoute> | undefined;
  private readonly holders: NetnsHolders | undefined;

  /**
   * `owner` (DevFlow passes its DEVFLOW_HOME) is stamped on every container and filters
   * list(), so two DevFlows sharing one engine never adopt or stop each other's instances.
   */
  constructor(
    private readonly docker: Docker = new Docker(),
    private readonly owner?: string,
    /** Mounted read-only into every container this driver starts (types.ts ReadOnlyMount). */
    private readonly mounts: readonly ReadOnlyMount[] = [],
    private readonly options: DockerRuntimeOptions = {},
  ) {
    this.maxRestarts = options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
    this.holders = options.netnsHolderImage === undefined || options.upstreams === 'published'
      ? undefined
      : new NetnsHolders(docker, options.netnsHolderImage, this.ownerLabels(), randomSuffix);
  }

  private ownerLabels(): Record<string, string> {
    return this.owner === undefined ? {} : { [OWNER_LABEL]: this.owner };
  }

  /** Keeps `count` network holders ready for the app's next web instances (docker-netns.ts). */
  prepareStarts(app: AppName, count: number): void {
    const holders = this.holders;
    if (holders === undefined || count < 1) return;
    void this.upstreamRoute().then((route) => {
      if (route.kind === 'bridge') holders.prepare(app, route.network, count);
    }, () => {});
  }

  async dropPreparedStarts(app: AppName): Promise<void> {
    await this.holders?.drop(app);
  }

  async close(): Promise<void> {
    await this.holders?.close();
  }

  /** The route web containers are reached by (docker-upstream.ts), decided once. */
  upstreamRoute(): Promise<UpstreamRoute> {
    if (this.options.upstreams === 'published') return Promise.resolve(PUBLISHED);
    this.route ??= decideUpstreamRoute(this.docker).catch((err: unknown) => {
      this.route = undefined;
      throw withContext('preparing the network of app containers', err);
    });
    return this.route;
  }

  async start(spec: InstanceSpec): Promise<Instance> {
    assertSlotAndRelease(spec);
    const name = containerName(spec, randomSuffix());
    const route = await this.upstreamRoute();
    const holder = spec.processType === 'web' && route.kind === 'bridge' ? await this.holders?.take(spec.app) : undefined;
    const options = containerCreateOptions(spec, name, this.mounts, route, this.maxRestarts, holder?.id);
    if (this.owner !== undefined) options.Labels = { ...options.Labels, [OWNER_LABEL]: this.owner };
    let container: Docker.Container;
    try {
      container = await this.createContainer(options);
    } catch (err) {
      if (holder !== undefined) await this.holders!.remove(holder.id).catch(() => {});
      throw err;
    }
    if (holder !== undefined) this.holders!.joined(holder);
    try {
      await container.start();
    } catch (err) {
      await ignoringStatus(container.remove({ force: true }), [404, 409]);
      if (holder !== undefined) await this.holders!.remove(holder.id).catch(() => {});
      throw withContext(`starting ${spec.app} ${spec.processType} (v${spec.release})`, err);
    }
    const info = await container.inspect();
    return {
      id: name,
      app: spec.app,
      release: spec.release,
      processType: spec.processType,
      upstream: spec.processType === 'web' ? this.startedUpstream(route, info, holder) : null,
      state: instanceStateFromDocker(info.State.Status),
    };
  }

  private startedUpstream(route: UpstreamRoute, info: Docker.ContainerInspectInfo, holder: Holder | undefined): Instance['upstream'] {
    if (holder !== undefined) return webUpstream(route, undefined, { [route.kind === 'bridge' ? route.network : '']: { IPAddress: holder.address } });
    return webUpstream(route, publishedPortFromInspect(info.NetworkSettings.Ports), info.NetworkSettings.Networks);
  }

  private async createContainer(options: Docker.ContainerCreateOptions): Promise<Docker.Container> {
    try {
      return await this.docker.createContainer(options);
    } catch (err) {
      if (statusOf(err) === 404) {
        throw new NotFoundError(
          `image ${options.Image ?? ''} is not in the Docker engine: DevFlow builds images locally and never pulls`,
          { cause: err },
        );
      }
      throw withContext(`creating container ${options.name ?? ''}`, err);
    }
  }

  async stop(instanceId: string, options: StopOptions = {}): Promise<void> {
    const container = this.docker.getContainer(assertInstanceId(instanceId));
    // The engine counts the grace period in whole seconds.
    const t = Math.ceil((options.graceMs ?? DEFAULT_GRACE_MS) / 1000);
    // The network holder it joined, if any, goes with it (docker-netns.ts).
    const holder = this.holders === undefined ? undefined : joinedHolder((await container.inspect().catch(() => undefined))?.HostConfig.NetworkMode);
    // 304: already stopped; 404: already gone; 409 on remove: removal already in progress.
    await ignoringStatus(container.stop({ t }), [304, 404]);
    await ignoringStatus(container.remove({ force: true }), [404, 409]);
    if (holder !== undefined) await this.holders!.remove(holder);
    this.logGate.forget(instanceId);
  }

  async list(app?: AppName): Promise<Instance[]> {
    // Every container of ours (instances, network holders, one-off runs), split below.
    const label = [
      LABEL.managed,
      ...(app === undefined ? [] : [`${LABEL.app}=${app}`]),
      ...(this.owner === undefined ? [] : [`${OWNER_LABEL}=${this.owner}`]),
    ];
    const [all, route] = await Promise.all([this.docker.listContainers({ all: true, filters: { label } }), this.upstreamRoute()]);
    const holders = all.filter((c) => c.Labels[LABEL.managed] === HOLDER_MANAGED);
    const containers = all.filter((c) => c.Labels[LABEL.managed] === 'true');
    const holderNetworks = new Map(holders.map((h) => [h.Id, h.NetworkSettings?.Networks]));
    if (app === undefined) {
      this.logGate.keepOnly(containers.flatMap((c) => c.Names.map((n) => n.replace(/^\//, ''))));
      this.sweepHolders(holders, containers);
    }
    return containers.flatMap((info): Instance[] => {
      const identity = identityFromLabels(info.Labels);
      const name = info.Names[0]?.replace(/^\//, '');
      if (identity === null || name === undefined) return [];
      const state = instanceStateFromDocker(info.State);
      const isServing = identity.processType === 'web' && state !== 'exited';
      return [
        {
          id: name,
          app: identity.app,
          release: identity.release,
          processType: identity.processType,
          upstream: isServing ? webUpstream(route, publishedPortFromPorts(info.Ports), this.networksOf(info, holderNetworks)) : null,
          state,
        },
      ];
    });
  }

  /** A container's addresses: those of the holder it joined, if it joined one (docker-netns.ts). */
  private networksOf(info: Docker.ContainerInfo, holderNetworks: Map<string, Docker.ContainerInfo['NetworkSettings']['Networks'] | undefined>) {
    const holder = joinedHolder(info.HostConfig?.NetworkMode);
    return holder === undefined ? info.NetworkSettings?.Networks : holderNetworks.get(holder);
  }

  /** Removes, in the background, holders no container joined and no start is about to (docker-netns.ts). */
  private sweepHolders(holders: Docker.ContainerInfo[], containers: Docker.ContainerInfo[]): void {
    if (this.holders === undefined || holders.length === 0) return;
    const joined = new Set(containers.map((c) => joinedHolder(c.HostConfig?.NetworkMode)).filter((id): id is string => id !== undefined));
    const orphans = orphanHolders(holders.map((h) => ({ id: h.Id, created: h.Created })), joined, this.holders.pending, Date.now() / 1000);
    for (const id of orphans) void this.holders.remove(id).catch(() => {});
  }

  /** `docker update --cpus`: takes effect on the running container (0 NanoCpus: no cap). */
  async setCpuLimit(instanceId: string, cpus: number | undefined): Promise<void> {
    const container = this.docker.getContainer(assertInstanceId(instanceId));
    await container.update({ NanoCpus: cpus === undefined ? 0 : Math.round(cpus * 1e9) }).catch((err: unknown) => {
      throw withContext(`setting the CPU limit of ${instanceId}`, err);
    });
  }

  async logs(instanceId: string, options: LogsOptions = {}): Promise<string[]> {
    const tail = options.tail ?? DEFAULT_LOG_TAIL;
    const container = this.docker.getContainer(assertInstanceId(instanceId));
    try {
      const buffer = await container.logs({ stdout: true, stderr: true, tail, follow: false });
      return lastLines(demuxDockerLogLines(buffer), tail);
    } catch (err) {
      if (statusOf(err) === 404) throw new NotFoundError(`instance ${instanceId} not found`, { cause: err });
      throw withContext(`reading logs of ${instanceId}`, err);
    }
  }

  readLogs(instanceId: string, position: string | undefined): Promise<LogRead> {
    const container = this.docker.getContainer(assertInstanceId(instanceId));
    return this.logGate.read(
      instanceId,
      async () => (await container.inspect()).LogPath ?? '',
      () => readEngineLog((since) => container.logs({ stdout: true, stderr: true, timestamps: true, follow: false, since }), position),
      () => ({ lines: [], position: position ?? '' }),
    );
  }

  /** The engine's one-shot stats of each running container (the figures `docker stats` shows). */
  async readUsage(): Promise<UsageReading[]> {
    const running = (await this.list()).filter((i) => i.state === 'running');
    const readings = await Promise.all(running.map(async (instance): Promise<UsageReading | undefined> => {
      const usage = await readContainerUsage(this.docker, instance.id);
      return usage === null ? undefined : { instanceId: instance.id, app: instance.app, processType: instance.processType, ...usage, at: Date.now() };
    }));
    return readings.filter((r): r is UsageReading => r !== undefined);
  }

  async runOnce(spec: InstanceSpec, options: RunOnceOptions): Promise<RunOnceResult> {
    assertSlotAndRelease(spec);
    return runOnceInDocker(this.docker, spec, options, this.owner === undefined ? {} : { [OWNER_LABEL]: this.owner }, this.mounts);
  }

  async runTty(spec: InstanceSpec, options: TtyOptions): Promise<TtySession> {
    assertSlotAndRelease(spec);
    return runTtyInDocker(this.docker, spec, options, this.owner === undefined ? {} : { [OWNER_LABEL]: this.owner }, this.mounts);
  }

  /** Removes a release's image; slugs are not this runtime's to remove. */
  async removeArtifact(artifact: Artifact): Promise<void> {
    if (artifact.kind !== 'image') return;
    try {
      await this.docker.getImage(artifact.image).remove();
    } catch (err) {
      const status = statusOf(err);
      if (status === 404) return;
      if (status === 409) {
        throw new ConflictError(`image ${artifact.image} is still used by a container`, { cause: err });
      }
      throw withContext(`removing image ${artifact.image}`, err);
    }
  }
}

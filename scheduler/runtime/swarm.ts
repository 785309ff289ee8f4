/**
 * The swarm runtime driver (DESIGN.md "Growth beyond one machine"): Docker Swarm services
 * through dockerode (Engine API 1.41). See swarm-plan.ts for the mapping (one service per app,
 * process type and release; an instance is a task slot) and for how the router reaches tasks
 * (host-mode published ports read from task status, no routing mesh).
 *
 * Services carry `devflow.*` labels and the owner's DEVFLOW_HOME, so list() rebuilds the picture
 * from the swarm alone after a restart. Images are local tags; Swarm is never asked to resolve
 * them against a registry, so on several nodes each node needs the image (a registry, or
 * `docker save | docker load`): see README "Swarm runtime".
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import Docker from 'dockerode';
import { DevflowError, NotFoundError, ReleaseError, withContext } from '../../core/errors.js';
import { DEFAULT_MAX_RESTARTS } from '../../core/settings.js';
import type { AppName } from '../../core/names.js';
import type { Artifact, Instance } from '../../core/types.js';
import { DockerRuntime } from './docker.js';
import { demuxDockerLogLines, lastLines } from './log-lines.js';
import { readEngineLog } from './log-reads.js';
import { assertInstanceId, assertSlotAndRelease } from './naming.js';
import {
  configReferences,
  instanceFromTask,
  MAX_CONFIG_BYTES,
  replicasForSlot,
  serviceFilters,
  serviceName,
  serviceSpec,
  shippedFileName,
  slotTasks,
  swarmInstanceId,
  type ShippedFile,
  type SlotTask,
  type SwarmTask,
} from './swarm-plan.js';
import { readContainerUsage } from './docker.js';
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
  type StopOptions,
  type UsageReading,
} from './types.js';

/** How long start() waits for Swarm to schedule and run a task. */
const TASK_START_TIMEOUT_MS = 60_000;
const POLL_MS = 200;
/** How long one listing of the swarm answers readLogs (under the collector's 1 s period). */
const RECENT_LOCATE_MS = 500;
/** Looks at the swarm taken again when a service went between listing it and its tasks (locate()). */
const LOCATE_ATTEMPTS = 5;
/**
 * How long one read of a task's log may take. The engine's task log API can leave a read without
 * follow unfinished for good (moby/moby#38640, docker/cli#4678), and these reads run where nothing
 * may wait for ever: under an app's lock (a crashed slot's last lines, a failed start's output,
 * while the next push of the app waits) and in the log collector's pass, which stopping waits for.
 */
const TASK_LOG_TIMEOUT_MS = 10_000;

interface ServiceInfo {
  ID: string;
  Version: { Index: number };
  Spec: Docker.CreateServiceOptions & { Labels?: Record<string, string>; Mode?: { Replicated?: { Replicas?: number } } };
}

interface Located {
  instance: Instance;
  service: ServiceInfo;
  slot: SlotTask;
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Swarm refuses an update made against a stale spec version; the caller reads and retries. */
function isStaleVersion(err: unknown): boolean {
  return /update out of sequence|version/i.test(String((err as Error)?.message ?? err));
}

export class SwarmRuntime implements RuntimeDriver {
  readonly kind = 'swarm' as const;
  private readonly queues = new Map<string, Promise<unknown>>();
  private recent: { at: number; located: Promise<Located[]> } | undefined;
  private readonly images: DockerRuntime;
  /** Config IDs by name, for the files already shipped (shipFiles). */
  private readonly configIds = new Map<string, string>();

  readonly maxRestarts: number;
  private readonly taskLogTimeoutMs: number;

  constructor(
    private readonly docker: Docker,
    private readonly owner: string,
    /** Directories every task sees read-only, shipped as configs (swarm-plan.ts ShippedFile). */
    private readonly mounts: readonly ReadOnlyMount[] = [],
    /** DEVFLOW_MAX_RESTARTS: Swarm's restarts of a crashing task (swarm-plan.ts restartPolicy). */
    options: { maxRestarts?: number; taskLogTimeoutMs?: number } = {},
  ) {
    this.maxRestarts = options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
    this.taskLogTimeoutMs = options.taskLogTimeoutMs ?? TASK_LOG_TIMEOUT_MS;
    this.images = new DockerRuntime(docker, owner, mounts, { maxRestarts: this.maxRestarts });
  }

  /** Swarm answers only on a manager of an active swarm: say so plainly otherwise. */
  static async assertActive(docker: Docker): Promise<void> {
    const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable) {
      throw new DevflowError(
        'runtime_unavailable',
        'DEVFLOW_RUNTIME=swarm, but this Docker engine is not a swarm manager: run `docker swarm init` (or join as a manager)',
      );
    }
  }

  async start(spec: InstanceSpec): Promise<Instance> {
    assertSlotAndRelease(spec);
    const name = serviceName(this.owner, spec);
    try {
      await this.serialised(name, () => this.ensureReplicas(spec, name));
    } catch (err) {
      throw withContext(`starting ${spec.app} ${spec.processType} (v${spec.release}) on swarm`, err);
    }
    try {
      return await this.waitForSlot(spec, name);
    } catch (err) {
      // A start that failed leaves nothing behind (the caller has no instance to stop).
      await this.stop(swarmInstanceId(this.owner, spec), { graceMs: 0 }).catch(() => {});
      throw err;
    }
  }

  private async ensureReplicas(spec: InstanceSpec, name: string): Promise<void> {
    const existing = await this.inspect(name);
    if (existing === undefined) {
      await this.docker.createService(serviceSpec(this.owner, spec, spec.slot, await this.shipFiles(), this.maxRestarts));
      return;
    }
    const tasks = (await this.docker.listTasks({ filters: { service: [existing.ID] } })) as SwarmTask[];
    const live = slotTasks(tasks).filter((t) => t.state !== 'exited').map((t) => t.slot);
    await this.setReplicas(existing, (current) => replicasForSlot(current, spec.slot, live));
  }

  /**
   * Polls the service's tasks until the slot's task runs (and, for web, has its port). A slot
   * Swarm gave up restarting fails at once, with the output of its last task.
   */
  private async waitForSlot(spec: InstanceSpec, name: string): Promise<Instance> {
    const id = swarmInstanceId(this.owner, spec);
    const deadline = Date.now() + TASK_START_TIMEOUT_MS;
    let state = 'not scheduled';
    while (Date.now() < deadline) {
      const found = (await this.locate(spec.app)).find((l) => l.instance.id === id)?.instance;
      if (found && found.state === 'running' && (spec.processType !== 'web' || found.upstream !== null)) return found;
      if (found?.state === 'exited') {
        const output = await this.logs(id, { tail: 20 }).catch(() => []);
        throw new ReleaseError(`the new instance (${name} slot ${spec.slot}) kept exiting at start, so Swarm stopped restarting it`, { output });
      }
      state = found?.state ?? state;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    // A web instance without a port would skip the health check, so it is a failure here.
    throw new ReleaseError(`swarm did not run ${name} slot ${spec.slot} within ${TASK_START_TIMEOUT_MS / 1000} s (last state: ${state})`);
  }

  /**
   * Swarm cannot remove one chosen task, so stopping an instance scales its service down by
   * one, and the last one removes the service (Swarm stops its tasks with SIGTERM, then
   * SIGKILL after the grace period). stop() returns once the containers are gone.
   */
  async stop(instanceId: string, options: StopOptions = {}): Promise<void> {
    assertInstanceId(instanceId);
    // A slot Swarm gave up restarting is found too (as exited): its service must still shrink.
    const found = (await this.locate()).find((l) => l.instance.id === instanceId);
    if (found === undefined) return;
    const name = found.service.Spec.Name!;
    let serviceId = found.service.ID;
    const remaining = await this.serialised(name, async () => {
      const service = await this.inspect(name);
      if (service === undefined) return 0;
      serviceId = service.ID;
      const replicas = service.Spec.Mode?.Replicated?.Replicas ?? 0;
      if (replicas <= 1) {
        await this.removeService(service);
        return 0;
      }
      await this.setReplicas(service, (current) => current - 1);
      return replicas - 1;
    });
    await this.waitForContainers(serviceId, remaining, (options.graceMs ?? DEFAULT_GRACE_MS) + 10_000);
  }

  async list(app?: AppName): Promise<Instance[]> {
    return (await this.locate(app)).map((l) => l.instance);
  }

  /**
   * The output of the slot's newest task that ran: the live process, or the last failed one
   * while Swarm waits to restart it or after it gave up (Swarm's task logs, from any node).
   */
  async logs(instanceId: string, options: LogsOptions = {}): Promise<string[]> {
    const tail = options.tail ?? DEFAULT_LOG_TAIL;
    const found = (await this.locate()).find((l) => l.instance.id === assertInstanceId(instanceId));
    if (found === undefined) throw new NotFoundError(`instance ${instanceId} not found`);
    if (found.slot.output === undefined) return [];
    const raw = await this.readTaskLog(found.slot.output.ID, { tail });
    return lastLines(demuxDockerLogLines(raw), tail);
  }

  /**
   * Read through the task that explains the slot now (its running task, or the last one that
   * failed); the task logs API works for tasks on any node. A restarted slot's new task starts a
   * new log, and the collector's timestamps carry on across it.
   */
  readLogs(instanceId: string, position: string | undefined): Promise<LogRead> {
    return readEngineLog((since) => this.taskLogsSince(instanceId, since), position);
  }

  private async taskLogsSince(instanceId: string, sinceSeconds: number): Promise<Buffer | undefined> {
    const found = (await this.locateRecent()).find((l) => l.instance.id === instanceId);
    if (found?.slot.output === undefined) return undefined;
    return this.readTaskLog(found.slot.output.ID, { timestamps: true, since: sinceSeconds }).catch(() => undefined);
  }

  /** One task's log as it is now (no follow), given up after taskLogTimeoutMs (TASK_LOG_TIMEOUT_MS). */
  private async readTaskLog(taskId: string, options: { tail?: number; timestamps?: boolean; since?: number }): Promise<Buffer> {
    const task = this.docker.getTask(taskId) as Docker.Task & { logs(options: object): Promise<unknown> };
    const signal = AbortSignal.timeout(this.taskLogTimeoutMs);
    try {
      const raw = await task.logs({ stdout: true, stderr: true, ...options, follow: false, abortSignal: signal });
      return Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw));
    } catch (err) {
      if (!signal.aborted) throw err;
      throw new DevflowError('runtime_unavailable', `Swarm did not return the log of task ${taskId} within ${this.taskLogTimeoutMs / 1000} s`, { cause: err });
    }
  }

  /**
   * The mounts' files as Swarm configs (created on first need, named by content), read afresh
   * for each new service, since a mount's directory gains files (a new agent build) while
   * DevFlow runs. Directories still being written (`*.tmp`) are left out.
   */
  private async shipFiles(): Promise<Docker.ConfigReference[]> {
    const files: ShippedFile[] = [];
    for (const mount of this.mounts) {
      const entries = await readdir(mount.hostPath, { recursive: true, withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        const path = join(entry.parentPath ?? entry.path, entry.name);
        const inside = relative(mount.hostPath, path);
        if (inside.split('/').some((part) => part.endsWith('.tmp'))) continue;
        const content = await readFile(path);
        if (content.length > MAX_CONFIG_BYTES) throw new DevflowError('runtime_unavailable', `${path} is too large for a Swarm config (${content.length} bytes)`);
        const file = { containerPath: `${mount.containerPath}/${inside}`, configName: shippedFileName(content) };
        await this.ensureConfig(file.configName, content, inside);
        files.push(file);
      }
    }
    return configReferences(files, (name) => this.configIds.get(name)!);
  }

  private async ensureConfig(name: string, content: Buffer, label: string): Promise<void> {
    if (this.configIds.has(name)) return;
    const existing = await this.docker.getConfig(name).inspect().catch((err: unknown) => {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }) as { ID: string } | undefined;
    if (existing !== undefined) {
      this.configIds.set(name, existing.ID);
      return;
    }
    const created = await this.docker.createConfig({ Name: name, Data: content.toString('base64'), Labels: { 'devflow.file': label } })
      .catch(async (err: unknown) => {
        // Another DevFlow sharing this swarm created it first: same name, same content.
        if (statusOf(err) !== 409) throw err;
        return { id: ((await this.docker.getConfig(name).inspect()) as { ID: string }).ID };
      }) as { id?: string; ID?: string };
    this.configIds.set(name, (created.id ?? created.ID)!);
  }

  /**
   * CPU and memory of the running tasks on this node, from the engine's stats of each task's
   * container (the figures `docker stats` shows). A manager's engine cannot read containers on
   * other nodes: their tasks report no usage (README "Swarm runtime").
   */
  async readUsage(): Promise<UsageReading[]> {
    const local = ((await this.docker.info()) as { Swarm?: { NodeID?: string } }).Swarm?.NodeID;
    const running = (await this.locate()).filter((l) => l.instance.state === 'running' && l.slot.task.NodeID === local);
    const readings = await Promise.all(running.map(async ({ instance, slot }): Promise<UsageReading | undefined> => {
      const containerId = slot.task.Status.ContainerStatus?.ContainerID;
      const usage = containerId === undefined ? null : await readContainerUsage(this.docker, containerId);
      return usage === null ? undefined : { instanceId: instance.id, app: instance.app, processType: instance.processType, ...usage, at: Date.now() };
    }));
    return readings.filter((r): r is UsageReading => r !== undefined);
  }

  /** The release phase runs as a plain container on this (manager) node, beside the swarm. */
  async runOnce(spec: InstanceSpec, options: RunOnceOptions): Promise<RunOnceResult> {
    return this.images.runOnce(spec, options);
  }

  /** `devflow run --tty` likewise: a plain container with a TTY on this (manager) node. */
  async runTty(spec: InstanceSpec, options: TtyOptions): Promise<TtySession> {
    return this.images.runTty(spec, options);
  }

  async removeArtifact(artifact: Artifact): Promise<void> {
    await this.images.removeArtifact(artifact);
  }

  /**
   * The log collector reads every instance once a second: one look at the swarm (services,
   * tasks, nodes) serves its whole pass instead of one per instance.
   */
  private locateRecent(): Promise<Located[]> {
    const now = Date.now();
    if (this.recent === undefined || now - this.recent.at > RECENT_LOCATE_MS) this.recent = { at: now, located: this.locate() };
    return this.recent.located;
  }

  /**
   * The services, then their tasks. The engine refuses a task list that names a service gone in
   * between (404 "service … not found"), as one is when a retiring release's last instance stops
   * while a rollback lists the app: the look is then taken again.
   */
  private async locate(app?: AppName): Promise<Located[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.locateOnce(app);
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404 || attempt >= LOCATE_ATTEMPTS) throw err;
      }
    }
  }

  private async locateOnce(app?: AppName): Promise<Located[]> {
    const services = (await this.docker.listServices({ filters: serviceFilters(this.owner, app) })) as unknown as ServiceInfo[];
    if (services.length === 0) return [];
    const [tasks, nodeHost] = await Promise.all([
      this.docker.listTasks({ filters: { service: services.map((s) => s.ID) } }) as Promise<Array<SwarmTask & { ServiceID: string }>>,
      this.nodeHosts(),
    ]);
    return services.flatMap((service) =>
      slotTasks(tasks.filter((t) => t.ServiceID === service.ID)).flatMap((slot) => {
        const instance = instanceFromTask(this.owner, service.Spec.Labels, slot, nodeHost);
        return instance === null ? [] : [{ instance, service, slot }];
      }));
  }

  /**
   * Host-mode ports listen on every address of the task's node: tasks on this node are reached
   * on loopback, others at the node's address as Swarm reports it.
   */
  private async nodeHosts(): Promise<(nodeId: string | undefined) => string> {
    const [info, nodes] = await Promise.all([
      this.docker.info() as Promise<{ Swarm?: { NodeID?: string } }>,
      this.docker.listNodes() as Promise<Array<{ ID: string; Status?: { Addr?: string } }>>,
    ]);
    const local = info.Swarm?.NodeID;
    const addresses = new Map(nodes.map((n) => [n.ID, n.Status?.Addr ?? '127.0.0.1']));
    return (nodeId) => (nodeId === undefined || nodeId === local ? '127.0.0.1' : (addresses.get(nodeId) ?? '127.0.0.1'));
  }

  private async inspect(name: string): Promise<ServiceInfo | undefined> {
    try {
      return (await this.docker.getService(name).inspect()) as ServiceInfo;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  private async setReplicas(service: ServiceInfo, next: (current: number) => number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const current = attempt === 0 ? service : await this.inspect(service.Spec.Name!);
      if (current === undefined) return;
      const replicas = next(current.Spec.Mode?.Replicated?.Replicas ?? 0);
      if (replicas === current.Spec.Mode?.Replicated?.Replicas) return;
      try {
        await this.docker.getService(current.ID).update({ ...current.Spec, Mode: { Replicated: { Replicas: replicas } }, version: current.Version.Index });
        return;
      } catch (err) {
        if (attempt >= 5 || !isStaleVersion(err)) throw err;
      }
    }
  }

  private async removeService(service: ServiceInfo): Promise<void> {
    try {
      await this.docker.getService(service.ID).remove();
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  /**
   * Waits until at most `count` containers of the service still run (on this node). When the
   * service is gone (count 0) it waits for its stopped containers to be removed too, so that
   * the release's image is free to be removed (retention) once stop() returns.
   */
  private async waitForContainers(serviceId: string, count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const left = await this.docker.listContainers({ all: count === 0, filters: { label: [`com.docker.swarm.service.id=${serviceId}`] } });
      if (left.length <= count) return;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Changes to one service run one at a time in this process (Swarm versions its specs). */
  private serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    this.queues.set(key, next);
    void next.finally(() => {
      if (this.queues.get(key) === next) this.queues.delete(key);
    }).catch(() => {});
    return next;
  }
}

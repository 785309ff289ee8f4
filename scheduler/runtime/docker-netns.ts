/**
 * Network holders for the docker runtime (issue 15, time to live). A container on a user-defined
 * network costs its start about 190 ms more than one on the default bridge: dockerd sets up the
 * embedded DNS resolver inside each new network namespace with a series of `iptables` calls, and
 * the namespace itself has to be made (bench/docker-start.ts, docs/benchmarks.md). A container
 * that joins a namespace already set up (`NetworkMode: container:<holder>`, as a Kubernetes pod's
 * containers join its pause container) skips both.
 *
 * So the docker driver keeps holders ready for an app's web instances (the stack's run image
 * sleeping, on DevFlow's apps network), and each new web container joins one. The holder gives
 * the instance its address, isolation and DNS; it is removed with its instance. The image stays
 * the release's artifact; nothing else changes.
 *
 * When they are made: a deployment tops them up as it starts building (so a first deploy gets
 * them too, their setup overlapping the build), and again once it has released, after the old
 * instances are gone, so the app's next push finds them ready and its build does not share the
 * CPU with their setup (measured on 2 cores: a holder made during the build slowed the build by
 * about as much as it saved the start). A holder no start takes within SPARE_MS is removed, so an
 * app pushed once keeps nothing for long; each costs its containerd shim, about 4.5 MB.
 *
 * Only on the bridge route (a local engine, docker-upstream.ts): a published port cannot be
 * added to a container that joins another's namespace. A start with no holder ready (a scale-up,
 * a restart by the reconciler, a preview) starts as before.
 */
import type Docker from 'dockerode';
import type { AppName } from '../../core/names.js';
import { LABEL } from './docker-plan.js';

/** The `devflow.managed` value of holders: not an instance (identityFromLabels reads 'true' only). */
export const HOLDER_MANAGED = 'netns';

/** A holder removed by a sweep must be at least this old: one being prepared is never taken for an orphan. */
export const ORPHAN_MIN_AGE_S = 300;

/** A ready holder no start took within this time is removed. */
export const SPARE_MS = 30 * 60_000;

export interface Holder {
  id: string;
  /** Its address on the apps network: the upstream of the instance that joins it. */
  address: string;
}

/** The create request of a holder (pure). */
export function holderCreateOptions(
  app: AppName, network: string, image: string, suffix: string, ownerLabels: Record<string, string>,
): Docker.ContainerCreateOptions {
  return {
    name: `devflow-netns-${app}-${suffix}`,
    Image: image,
    // `sleep` as PID 1 ignores SIGTERM: holders are removed with force (SIGKILL), never stopped.
    Entrypoint: ['sleep'],
    Cmd: ['infinity'],
    Labels: { ...ownerLabels, [LABEL.managed]: HOLDER_MANAGED, [LABEL.app]: app },
    HostConfig: {
      NetworkMode: network,
      // Back after an engine restart, before the instance that joined it is restarted.
      RestartPolicy: { Name: 'unless-stopped' },
      Memory: 16 * 1024 * 1024,
    },
  };
}

/** The holder a container joined, from its HostConfig.NetworkMode (`container:<id>`); else undefined. */
export function joinedHolder(networkMode: string | undefined): string | undefined {
  return networkMode?.startsWith('container:') ? networkMode.slice('container:'.length) : undefined;
}

export interface HolderSummary {
  id: string;
  /** Creation time, Unix seconds (docker ps). */
  created: number;
}

/**
 * Holders to remove (pure): joined by no container, not waiting to be taken by this process, and
 * old enough that no start can still be about to join them (a DevFlow that stopped between a
 * container's removal and its holder's, or a prepared holder whose deployment process died).
 */
export function orphanHolders(
  holders: readonly HolderSummary[], joined: ReadonlySet<string>, pending: ReadonlySet<string>, nowS: number,
): string[] {
  return holders
    .filter((h) => !joined.has(h.id) && !pending.has(h.id) && nowS - h.created >= ORPHAN_MIN_AGE_S)
    .map((h) => h.id);
}

/** Holders kept ready for apps' web instances. */
export class NetnsHolders {
  private readonly ready = new Map<AppName, Array<Promise<Holder | undefined>>>();
  /** Ids of holders this process started and no instance joined yet (never swept). */
  readonly pending = new Set<string>();

  constructor(
    private readonly docker: Docker,
    private readonly image: string,
    private readonly ownerLabels: Record<string, string>,
    private readonly suffix: () => string,
    private readonly spareMs = SPARE_MS,
  ) {}

  /** Tops `app`'s ready holders on `network` up to `count`; each is removed if no start takes it within spareMs. */
  prepare(app: AppName, network: string, count: number): void {
    const queue = this.ready.get(app) ?? [];
    for (let i = queue.length; i < count; i++) {
      const holder = this.start(app, network);
      queue.push(holder);
      setTimeout(() => void this.expire(app, holder), this.spareMs).unref();
    }
    if (queue.length > 0) this.ready.set(app, queue);
  }

  /** Removes every ready holder (DevFlow is stopping). */
  async close(): Promise<void> {
    const all = [...this.ready.values()].flat();
    this.ready.clear();
    await this.removeReady(all);
  }

  /** Removes the app's ready holders (the app is being destroyed): none waits out spareMs. */
  async drop(app: AppName): Promise<void> {
    const queue = this.ready.get(app) ?? [];
    this.ready.delete(app);
    await this.removeReady(queue);
  }

  private async removeReady(holders: Array<Promise<Holder | undefined>>): Promise<void> {
    await Promise.all(holders.map(async (p) => {
      const holder = await p;
      if (holder !== undefined) await this.remove(holder.id).catch(() => {});
    }));
  }

  private async expire(app: AppName, holder: Promise<Holder | undefined>): Promise<void> {
    const queue = this.ready.get(app);
    if (queue === undefined || !queue.includes(holder)) return;
    queue.splice(queue.indexOf(holder), 1);
    if (queue.length === 0) this.ready.delete(app);
    const ready = await holder;
    if (ready !== undefined) await this.remove(ready.id).catch(() => {});
  }

  /** A prepared holder of `app` (waiting for it if it is still starting), or undefined. */
  async take(app: AppName): Promise<Holder | undefined> {
    const queue = this.ready.get(app);
    const next = queue?.shift();
    if (queue?.length === 0) this.ready.delete(app);
    return next;
  }

  /** The instance that joined `holder` is created: the holder is no longer waiting to be taken. */
  joined(holder: Holder): void {
    this.pending.delete(holder.id);
  }

  async remove(id: string): Promise<void> {
    this.pending.delete(id);
    await this.docker.getContainer(id).remove({ force: true }).catch((err: unknown) => {
      // 404: already gone; 409: a removal is already under way.
      const status = (err as { statusCode?: unknown } | null)?.statusCode;
      if (status !== 404 && status !== 409) throw err;
    });
  }

  /**
   * Starts one holder; undefined when it cannot (the stack's run image is missing, the engine
   * refused): the start then goes the usual way, so a holder is never a reason a deploy fails.
   */
  private async start(app: AppName, network: string): Promise<Holder | undefined> {
    let container: Docker.Container | undefined;
    try {
      container = await this.docker.createContainer(holderCreateOptions(app, network, this.image, this.suffix(), this.ownerLabels));
      this.pending.add(container.id);
      await container.start();
      const address = (await container.inspect()).NetworkSettings.Networks[network]?.IPAddress;
      if (!address) throw new Error(`holder ${container.id} has no address on ${network}`);
      return { id: container.id, address };
    } catch {
      if (container !== undefined) await this.remove(container.id).catch(() => {});
      return undefined;
    }
  }
}

/**
 * Pure planning for the swarm runtime (Docker Engine API 1.41: POST /services/create, GET
 * /tasks): service names, the service spec, and Instances read back from tasks. Free of I/O
 * so tests check the data without a swarm.
 *
 * Mapping: one Swarm service per (app, process type, release), replicated; an instance is one
 * task, identified by its slot (Swarm numbers replicated tasks 1..N, as DevFlow numbers slots).
 * A new release is a new service started beside the old one, so DevFlow's own start-first
 * rollout (start, health-check, switch routes, drain, remove the old service) runs unchanged:
 * Swarm's in-place update would stop old tasks on its own clock, which a router outside the
 * swarm cannot follow without failed requests (the routing mesh does not work on these
 * machines, MACHINE.md). Within a service, updates are start-first with automatic rollback.
 *
 * Reaching tasks: each web task publishes its port in `host` mode on a port the engine picks
 * (no routing mesh, no VIP), read back from the task's PortStatus; measured here, a host-mode
 * port answered at once, where a service VIP did not. See README "Swarm runtime".
 */
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import type { AppName } from '../../core/names.js';
import type { Instance } from '../../core/types.js';
import { DEFAULT_MAX_RESTARTS } from '../../core/settings.js';
import { LABEL, containerCommand, containerEnv, containerLabels, identityFromLabels, imageOf } from './docker-plan.js';
import { instanceName, type InstanceIdentity } from './naming.js';
import { CONTAINER_PORT, DEFAULT_GRACE_MS, type InstanceSpec } from './types.js';

export const OWNER_LABEL = 'devflow.home';

export type ServiceIdentity = Omit<InstanceIdentity, 'slot'>;

/** Six hex characters of (owner, app, type): keeps truncated names and two DevFlows apart. */
export function serviceHash(owner: string, identity: ServiceIdentity): string {
  return createHash('sha256').update(`${owner}\0${identity.app}\0${identity.processType}`).digest('hex').slice(0, 6);
}

/** At most 3 + 24 + 1 + 12 + 2 + 10 + 1 + 6 = 59 characters: Swarm allows 63. */
export function serviceName(owner: string, identity: ServiceIdentity): string {
  const app = identity.app.slice(0, 24).replace(/-+$/, '');
  const type = identity.processType.slice(0, 12).replace(/[-_]+$/, '');
  return `df-${app}-${type}-v${identity.release}-${serviceHash(owner, identity)}`;
}

/** `<app>-<type>-v<release>-<slot>-<hash>`, the id shape every driver uses (naming.ts). */
export function swarmInstanceId(owner: string, identity: InstanceIdentity): string {
  return instanceName(identity, serviceHash(owner, identity));
}

export function serviceLabels(owner: string, identity: ServiceIdentity): Record<string, string> {
  return { ...containerLabels({ ...identity, slot: 1 }), [OWNER_LABEL]: owner };
}

const NS_PER_MS = 1_000_000;

/** Swarm's restarts of one slot are one second apart, DevFlow's first backoff (crash-loop.ts). */
export const RESTART_DELAY_MS = 1_000;
/** The same window in which DevFlow counts exits towards a crash loop (CRASH_WINDOW_MS). */
export const RESTART_WINDOW_MS = 10 * 60_000;

/**
 * Swarm restarts a slot whose process ended, whatever its exit status (a web process that exits
 * 0 has stopped serving all the same), at most `maxRestarts` times (DEVFLOW_MAX_RESTARTS) within
 * RESTART_WINDOW_MS, then gives up and leaves the slot's last task failed. That dead slot is what
 * the driver reports as `exited`; the supervisor then counts maxRestarts + 1 exits (all of them
 * real, within the window, so calling the slot `crashed` is honest), shows the failed task's
 * output, removes the slot and starts it again on DevFlow's own exponential backoff. Without the
 * limit (MaxAttempts 0) Swarm would restart a crashing task every second forever and DevFlow
 * would never see it crash; without Swarm restarts at all a lost node or a one-off crash would
 * wait for DevFlow's supervisor.
 */
export function restartPolicy(maxRestarts: number = DEFAULT_MAX_RESTARTS): Docker.TaskRestartPolicy {
  return { Condition: 'any', MaxAttempts: maxRestarts, Delay: RESTART_DELAY_MS * NS_PER_MS, Window: RESTART_WINDOW_MS * NS_PER_MS };
}

/**
 * A file every task sees read-only (a ReadOnlyMount's files, types.ts), shipped as a Swarm
 * config: Swarm hands configs to whichever node runs the task, where a bind mount would need the
 * directory on every node. Configs are immutable, so the name carries the content's hash: the
 * same file is created once and shared by every service, and a changed file is a new config.
 */
export interface ShippedFile {
  /** The absolute path inside the task's container. */
  containerPath: string;
  /** `devflow-file-<hash>`: the content's sha256, 24 hex digits. */
  configName: string;
}

/** Swarm refuses configs of 1000 KiB and more. */
export const MAX_CONFIG_BYTES = 1000 * 1024 - 1;

export function shippedFileName(content: Buffer): string {
  return `devflow-file-${createHash('sha256').update(content).digest('hex').slice(0, 24)}`;
}

/** The service's config references, once each config's ID is known; readable by any user of the image. */
export function configReferences(files: readonly ShippedFile[], idOf: (configName: string) => string): Docker.ConfigReference[] {
  return files.map((f) => ({ ConfigID: idOf(f.configName), ConfigName: f.configName, File: { Name: f.containerPath, UID: '0', GID: '0', Mode: 0o444 } }));
}

export function serviceSpec(
  owner: string, spec: InstanceSpec, replicas: number, configs: readonly Docker.ConfigReference[] = [],
  maxRestarts: number = DEFAULT_MAX_RESTARTS,
): Docker.CreateServiceOptions {
  const image = imageOf(spec.artifact);
  const command = containerCommand(spec.artifact, spec.processType);
  const labels = serviceLabels(owner, spec);
  const isWeb = spec.processType === 'web';
  return {
    Name: serviceName(owner, spec),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        // The local tag as it is: no digest pinning, so Swarm never asks a registry (the API
        // form of `--no-resolve-image`; no X-Registry-Auth header is sent either).
        Image: image,
        // Swarm's Command replaces the ENTRYPOINT and Args the CMD, as docker's pair does.
        ...(command.entrypoint === undefined ? {} : { Command: command.entrypoint }),
        ...(command.cmd === undefined ? {} : { Args: command.cmd }),
        Env: containerEnv(spec.env),
        // Without devflow.managed, so the docker runtime (and its cleanup) never adopts a task;
        // with the owner, so each DevFlow can tell its own task containers apart.
        Labels: {
          [LABEL.app]: spec.app, [LABEL.process]: spec.processType, [LABEL.release]: String(spec.release),
          [OWNER_LABEL]: owner, 'devflow.swarm': 'true',
        },
        StopGracePeriod: DEFAULT_GRACE_MS * NS_PER_MS,
        ...(configs.length === 0 ? {} : { Configs: [...configs] }),
      },
      Resources: {
        Limits: {
          ...(spec.memoryMb === undefined ? {} : { MemoryBytes: Math.round(spec.memoryMb * 1024 * 1024) }),
          ...(spec.cpus === undefined ? {} : { NanoCPUs: Math.round(spec.cpus * 1e9) }),
        },
      },
      RestartPolicy: restartPolicy(maxRestarts),
    },
    Mode: { Replicated: { Replicas: replicas } },
    UpdateConfig: { Parallelism: 1, Order: 'start-first', FailureAction: 'rollback', Monitor: 5_000 * NS_PER_MS },
    RollbackConfig: { Parallelism: 1, Order: 'start-first' },
    // dnsrr: no virtual IP (VIPs refuse connections without IPVS); host-mode ports bypass the mesh.
    EndpointSpec: {
      Mode: 'dnsrr',
      ...(isWeb ? { Ports: [{ Protocol: 'tcp', TargetPort: CONTAINER_PORT, PublishMode: 'host' }] } : {}),
    },
  } as Docker.CreateServiceOptions;
}

/** What GET /tasks reports, reduced to what DevFlow reads. */
export interface SwarmTask {
  ID: string;
  Slot?: number;
  NodeID?: string;
  CreatedAt?: string;
  DesiredState: string;
  Status: {
    State: string;
    ContainerStatus?: { ContainerID?: string };
    PortStatus?: { Ports?: Array<{ TargetPort?: number; PublishedPort?: number }> };
  };
}

/** Swarm task states folded into DevFlow's three. */
export function instanceStateFromTask(state: string): Instance['state'] {
  if (state === 'running') return 'running';
  if (['new', 'pending', 'assigned', 'accepted', 'ready', 'preparing', 'starting'].includes(state)) return 'starting';
  return 'exited';
}

/** Desired states of a slot's live task; `ready` is a replacement waiting out the restart delay. */
const LIVE_DESIRED = ['running', 'ready'];
/** How a task ends on its own: its process exited (`complete` is status 0) or its node refused it. */
const ENDED = ['complete', 'failed', 'rejected'];

/** The task that stands for one slot, and the slot's state. */
export interface SlotTask {
  slot: number;
  task: SwarmTask;
  state: Instance['state'];
  /** The slot's newest task that ran a container: whose output explains the slot. */
  output: SwarmTask | undefined;
}

const createdAt = (task: SwarmTask) => Date.parse(task.CreatedAt ?? '') || 0;
const newest = (tasks: SwarmTask[]) => tasks.reduce((a, b) => (createdAt(b) > createdAt(a) ? b : a));

/**
 * Each slot's state from the service's task history (Swarm keeps failed tasks beside their
 * replacement). A slot with a task Swarm means to run is starting or running; one whose task
 * ended but that Swarm has not yet replaced counts as starting, since Swarm is about to. A slot
 * whose newest task ended on its own and that Swarm no longer means to run is one Swarm gave up
 * restarting (restartPolicy): `exited`. A slot whose newest task Swarm shut down (scaled away)
 * is gone.
 */
export function slotTasks(tasks: readonly SwarmTask[]): SlotTask[] {
  const bySlot = new Map<number, SwarmTask[]>();
  for (const task of tasks) {
    if (task.Slot !== undefined) bySlot.set(task.Slot, [...(bySlot.get(task.Slot) ?? []), task]);
  }
  return [...bySlot.entries()].sort(([a], [b]) => a - b).flatMap(([slot, history]) => slotFromHistory(slot, history) ?? []);
}

function slotFromHistory(slot: number, history: SwarmTask[]): SlotTask | undefined {
  const ran = history.filter((t) => t.Status.ContainerStatus?.ContainerID);
  const output = ran.length === 0 ? undefined : newest(ran);
  const live = history.filter((t) => LIVE_DESIRED.includes(t.DesiredState));
  if (live.length > 0) {
    const task = live.find((t) => t.Status.State === 'running') ?? newest(live);
    const state = instanceStateFromTask(task.Status.State);
    return { slot, task, state: state === 'exited' ? 'starting' : state, output };
  }
  const last = newest(history);
  return ENDED.includes(last.Status.State) ? { slot, task: last, state: 'exited', output } : undefined;
}

/**
 * How many replicas a service needs so that `slot` runs. Swarm fills the lowest slot numbers
 * that lack a live task, so a slot that is not live (its dead task was removed by scaling down)
 * comes back by asking for one more replica than the live slots.
 */
export function replicasForSlot(current: number, slot: number, liveSlots: readonly number[]): number {
  if (liveSlots.includes(slot)) return Math.max(current, slot);
  return Math.max(current, slot, liveSlots.length + 1);
}

export function instanceFromTask(
  owner: string,
  labels: Record<string, string> | undefined,
  { slot, task, state }: SlotTask,
  nodeHost: (nodeId: string | undefined) => string,
): Instance | null {
  const identity = identityFromLabels(labels);
  if (identity === null || labels?.[OWNER_LABEL] !== owner) return null;
  const port = task.Status.PortStatus?.Ports?.find((p) => p.TargetPort === CONTAINER_PORT)?.PublishedPort;
  const serving = identity.processType === 'web' && state !== 'exited' && port !== undefined && port > 0;
  return {
    id: swarmInstanceId(owner, { ...identity, slot }),
    app: identity.app,
    release: identity.release,
    processType: identity.processType,
    upstream: serving ? { host: nodeHost(task.NodeID), port } : null,
    state,
  };
}

/** Label filters for GET /services: DevFlow's, this owner's, optionally one app's. */
export function serviceFilters(owner: string, app?: AppName): { label: string[] } {
  return { label: [`${LABEL.managed}=true`, `${OWNER_LABEL}=${owner}`, ...(app === undefined ? [] : [`${LABEL.app}=${app}`])] };
}

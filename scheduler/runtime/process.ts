/**
 * The process runtime driver: runs a slug's Procfile commands as host processes, for machines
 * without Docker (DESIGN.md: "Docker when an engine answers, else the process runtime").
 * Each instance is its own session and process group (spawn `detached`), so a stop reaches
 * everything the app forked, and instances keep running while DevFlow restarts; state files
 * let the next DevFlow find them again. Memory and CPU limits are not enforced here.
 */
import { applyCpuLimit, joinCommand, prepareLimits, removeLimits, type CgroupLayout } from './process-limits.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { open, rm, stat } from 'node:fs/promises';
import { basename, dirname, relative, resolve, isAbsolute } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidInputError, NotFoundError, withContext } from '../../core/errors.js';
import { DEFAULT_MAX_RESTARTS } from '../../core/settings.js';
import type { AppName } from '../../core/names.js';
import type { Artifact, Instance } from '../../core/types.js';
import { assertInstanceId, assertSlotAndRelease, instanceName, randomSuffix } from './naming.js';
import { readLogFile } from './log-reads.js';
import { findFreePort } from './ports.js';
import {
  groupLiveness, instanceLiveness, isGroupAlive, isInstanceAlive, processCommand, processEnvironment, type ProcessCommand, type ProcessIdentity,
} from './process-plan.js';
import {
  groupExists,
  ProcessPaths,
  readAllProcUsage,
  readAllStates,
  readLastLines,
  readProcStat,
  readState,
  removeState,
  snapshotProcesses,
  writeState,
  type InstanceStateFile,
} from './process-state.js';
import {
  DEFAULT_GRACE_MS,
  DEFAULT_LOG_TAIL,
  type InstanceSpec,
  type LogRead,
  type LogsOptions,
  type RunOnceOptions,
  type TtyOptions,
  type TtySession,
  type RunOnceResult,
  type RuntimeDriver,
  type StopOptions,
  type UsageReading,
} from './types.js';
import { runOnceAsProcess } from './process-run-once.js';
import { runTtyAsProcess } from './process-tty.js';
import { groupUsage } from './usage.js';

const POLL_MS = 50;
/** After SIGKILL the kernel needs only a moment; this bounds the wait if something is stuck. */
const KILL_WAIT_MS = 5_000;

export interface ProcessRuntimeOptions {
  /** DEVFLOW_HOME: state files go to run/instances, output to logs/instances. */
  home: string;
  /**
   * Where instances get their size limits (process-limits.ts), or why they cannot (a reason
   * string: sizes are then not enforced). Default: not enforced.
   */
  cgroups?: CgroupLayout | string;
  /**
   * DEVFLOW_MAX_RESTARTS (default 5). Nothing here restarts an instance: the supervisor does, this
   * many times, before it calls the slot crashed (scheduler/crash-loop.ts).
   */
  maxRestarts?: number;
}

function toInstance(state: InstanceStateFile, alive: boolean): Instance {
  return {
    id: state.id,
    app: state.app,
    release: state.release,
    processType: state.processType,
    upstream: alive && state.processType === 'web' ? { host: '127.0.0.1', port: state.port } : null,
    state: alive ? 'running' : 'exited',
  };
}

/** Sends a signal to a whole process group; a group that is already gone is fine. */
function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** isInstanceAlive, reading all of /proc only when the leader's stat and the group cannot tell. */
async function instanceAlive(identity: ProcessIdentity): Promise<boolean> {
  const quick = instanceLiveness(identity, await readProcStat(identity.pid), groupExists(identity.pgid));
  return quick === 'scan' ? isInstanceAlive(identity, await snapshotProcesses()) : quick;
}

async function groupAlive(pgid: number): Promise<boolean> {
  const quick = groupLiveness(pgid, await readProcStat(pgid), groupExists(pgid));
  return quick === 'scan' ? isGroupAlive(pgid, await snapshotProcesses()) : quick;
}

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await groupAlive(pgid))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
}

export class ProcessRuntime implements RuntimeDriver {
  readonly kind = 'process' as const;
  readonly maxRestarts: number;
  private readonly paths: ProcessPaths;

  constructor(private readonly options: ProcessRuntimeOptions) {
    this.paths = new ProcessPaths(options.home);
    this.maxRestarts = options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
  }

  async start(spec: InstanceSpec): Promise<Instance> {
    assertSlotAndRelease(spec);
    const command = processCommand(spec.artifact, spec.processType);
    const slugEnv = spec.artifact.kind === 'slug' ? spec.artifact.env : {};
    await this.assertSlugDir(command.cwd);
    await this.paths.ensure();
    const id = instanceName(spec, randomSuffix());
    const port = await findFreePort();
    const env = processEnvironment(process.env, slugEnv, spec.env, port);
    const pid = await this.spawnDetached(id, await this.limited(id, command, spec), env);
    try {
      return await this.recordStarted(spec, id, pid, port);
    } catch (err) {
      // Without its state file nobody could find or stop it again.
      signalGroup(pid, 'SIGKILL');
      throw withContext(`starting instance ${id}`, err);
    }
  }

  /** Whether sizes are enforced, and how or why not: `devflow up` prints it. */
  get sizes(): string {
    const cgroups = this.options.cgroups;
    if (cgroups === undefined) return 'sizes not enforced';
    return typeof cgroups === 'string' ? `sizes not enforced: ${cgroups}` : `sizes enforced with cgroup v${cgroups.version}`;
  }

  /** Writes the instance's cgroup CPU quota; without enforced sizes there is nothing to change. */
  async setCpuLimit(instanceId: string, cpus: number | undefined): Promise<void> {
    const cgroups = this.options.cgroups;
    if (typeof cgroups !== 'object') return;
    await applyCpuLimit(cgroups, instanceId, cpus).catch((err: unknown) => {
      throw withContext(`setting the CPU limit of ${instanceId}`, err);
    });
  }

  /** The command, made to join the instance's cgroups first when its size can be enforced. */
  private async limited(id: string, command: ProcessCommand, spec: InstanceSpec): Promise<ProcessCommand> {
    const cgroups = this.options.cgroups;
    if (typeof cgroups !== 'object' || (spec.memoryMb === undefined && spec.cpus === undefined)) return command;
    const procs = await prepareLimits(cgroups, id, { memoryMb: spec.memoryMb, cpus: spec.cpus }).catch((err: unknown) => {
      throw withContext('applying the size limits (cgroups)', err);
    });
    return joinCommand(procs, command);
  }

  private async recordStarted(spec: InstanceSpec, id: string, pid: number, port: number): Promise<Instance> {
    const state: InstanceStateFile = {
      id,
      app: spec.app,
      release: spec.release,
      processType: spec.processType,
      slot: spec.slot,
      pid,
      pgid: pid, // detached: the child leads its own session and group
      port,
      startTime: (await readProcStat(pid))?.startTime ?? null,
      startedAt: new Date().toISOString(),
    };
    await writeState(this.paths, state);
    return toInstance(state, await instanceAlive(state));
  }

  private async assertSlugDir(dir: string): Promise<void> {
    const info = await stat(dir).catch(() => null);
    if (info === null || !info.isDirectory()) {
      throw new NotFoundError(`slug directory ${dir} does not exist: rebuild the release`);
    }
  }

  /** Output goes straight to the log file (append), so it needs no DevFlow process to pump it. */
  private async spawnDetached(id: string, command: ProcessCommand, env: Record<string, string>): Promise<number> {
    const log = await open(this.paths.logFile(id), 'a');
    try {
      const child = spawn(command.file, command.args, {
        cwd: command.cwd,
        env,
        detached: true,
        stdio: ['ignore', log.fd, log.fd],
      });
      await once(child, 'spawn');
      child.unref();
      if (child.pid === undefined) throw new Error(`spawning ${id} gave no pid`);
      return child.pid;
    } finally {
      await log.close();
    }
  }

  async stop(instanceId: string, options: StopOptions = {}): Promise<void> {
    const state = await readState(this.paths, assertInstanceId(instanceId));
    if (state === null) return;
    // Never signal a group whose leader pid now names someone else's process.
    if (await instanceAlive(state)) {
      signalGroup(state.pgid, 'SIGTERM');
      const exited = await waitForGroupExit(state.pgid, options.graceMs ?? DEFAULT_GRACE_MS);
      if (!exited) {
        signalGroup(state.pgid, 'SIGKILL');
        await waitForGroupExit(state.pgid, KILL_WAIT_MS);
      }
    }
    if (typeof this.options.cgroups === 'object') await removeLimits(this.options.cgroups, state.id);
    await removeState(this.paths, state.id);
  }

  async list(app?: AppName): Promise<Instance[]> {
    const states = (await readAllStates(this.paths)).filter((s) => app === undefined || s.app === app);
    return Promise.all(states.map(async (state) => toInstance(state, await instanceAlive(state))));
  }

  /** Each live instance's process group, added up from /proc (usage.ts). */
  async readUsage(): Promise<UsageReading[]> {
    const states = await readAllStates(this.paths);
    if (states.length === 0) return [];
    const alive = await snapshotProcesses();
    const usage = await readAllProcUsage();
    const at = Date.now();
    return states.filter((state) => isInstanceAlive(state, alive)).flatMap((state) => {
      const group = groupUsage(usage, state.pgid);
      return group === null ? [] : [{ instanceId: state.id, app: state.app, processType: state.processType, ...group, at }];
    });
  }

  async logs(instanceId: string, options: LogsOptions = {}): Promise<string[]> {
    const id = assertInstanceId(instanceId);
    const lines = await readLastLines(this.paths.logFile(id), options.tail ?? DEFAULT_LOG_TAIL);
    if (lines !== null) return lines;
    if ((await readState(this.paths, id)) === null) throw new NotFoundError(`instance ${id} not found`);
    return [];
  }

  readLogs(instanceId: string, position: string | undefined): Promise<LogRead> {
    return readLogFile(this.paths.logFile(assertInstanceId(instanceId)), position);
  }

  async runOnce(spec: InstanceSpec, options: RunOnceOptions): Promise<RunOnceResult> {
    assertSlotAndRelease(spec);
    await this.assertSlugDir(processCommand(spec.artifact, spec.processType, spec.command).cwd);
    return runOnceAsProcess(spec, options, await findFreePort());
  }

  async runTty(spec: InstanceSpec, options: TtyOptions): Promise<TtySession> {
    assertSlotAndRelease(spec);
    await this.assertSlugDir(processCommand(spec.artifact, spec.processType, spec.command).cwd);
    return runTtyAsProcess(spec, options, await findFreePort());
  }

  /** Deletes a slug directory, but only one inside DEVFLOW_HOME: DevFlow never deletes what it did not make. */
  async removeArtifact(artifact: Artifact): Promise<void> {
    if (artifact.kind !== 'slug') return;
    // A buildpack slug is `<slugDir>/app` beside its `layers` (builder/cnb/export.ts): both go.
    const dir = basename(artifact.dir) === 'app' ? dirname(resolve(artifact.dir)) : artifact.dir;
    const path = relative(resolve(this.options.home), resolve(dir));
    if (path === '' || path.startsWith('..') || isAbsolute(path)) {
      throw new InvalidInputError(`refusing to remove ${artifact.dir}: it is not inside ${this.options.home}`);
    }
    await rm(dir, { recursive: true, force: true });
  }
}

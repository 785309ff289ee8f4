/**
 * Pure planning for the process runtime: the command, environment and liveness rules for
 * instances that run as plain host processes (no containers), the way Heroku's `heroku local`
 * or Foreman runs a Procfile.
 */
import { InvalidInputError } from '../../core/errors.js';
import type { ProcessType } from '../../core/names.js';
import type { Artifact } from '../../core/types.js';

/** Host variables an app needs to run at all; everything else of DevFlow's own env stays out. */
export const HOST_ENV_KEYS = ['PATH', 'HOME', 'LANG'] as const;

export interface ProcessCommand {
  cwd: string;
  file: string;
  args: string[];
}

/**
 * Procfile commands are shell commands (`web: node server.js --port $PORT`), written by the
 * app's owner for their own app and run with the app's own rights, so handing them to
 * `/bin/sh -c` as ONE argument is running their program, not shell injection: no outside
 * input is spliced into the string, and DevFlow adds nothing to it.
 */
export function processCommand(artifact: Artifact, processType: ProcessType, oneOff?: string): ProcessCommand {
  if (artifact.kind !== 'slug') {
    throw new InvalidInputError(
      'the process runtime runs slugs, but this release was built as an image: use the docker runtime',
    );
  }
  if (oneOff !== undefined) return { cwd: artifact.dir, file: '/bin/sh', args: ['-c', oneOff] };
  const command = artifact.processes[processType];
  if (command === undefined || command.trim() === '') {
    const known = Object.keys(artifact.processes).join(', ') || 'none';
    throw new InvalidInputError(`process type "${processType}" has no command in this release (it has: ${known})`);
  }
  return { cwd: artifact.dir, file: '/bin/sh', args: ['-c', command] };
}

/**
 * The environment of one instance, later entries winning: a minimal host subset, the slug's
 * own env (what buildpacks export, e.g. NODE_ENV), the release's config and DEVFLOW_* vars,
 * then PORT. The slug's PATH is a list of directories to put IN FRONT of the host PATH (a
 * buildpack's `bin` dirs), not a replacement: the app still needs /usr/bin and friends.
 */
export function processEnvironment(
  hostEnv: Record<string, string | undefined>,
  slugEnv: Record<string, string>,
  specEnv: Record<string, string>,
  port: number,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of HOST_ENV_KEYS) {
    const value = hostEnv[key];
    if (value !== undefined) env[key] = value;
  }
  for (const [key, value] of Object.entries(slugEnv)) {
    env[key] = key === 'PATH' && env.PATH !== undefined && value !== '' ? `${value}:${env.PATH}` : value;
  }
  Object.assign(env, specEnv);
  env.PORT = String(port);
  return env;
}

/** The fields DevFlow needs from /proc/<pid>/stat (proc(5)). */
export interface ProcStat {
  pid: number;
  /** One letter: R running, S sleeping, Z zombie, X dead, ... */
  state: string;
  pgrp: number;
  /** Field 22, clock ticks after boot: with the pid, it names one process for good. */
  startTime: string;
}

/**
 * Splits a /proc/<pid>/stat line. The command name (field 2) is in parentheses and may itself
 * hold spaces and parentheses, so the fields are counted from the LAST ')': fields[0] is field 3.
 */
export function splitProcStat(text: string): { pid: number; fields: string[] } | null {
  const close = text.lastIndexOf(')');
  const pid = Number.parseInt(text, 10);
  if (close === -1 || !Number.isInteger(pid)) return null;
  return { pid, fields: text.slice(close + 2).trim().split(/\s+/) };
}

export function parseProcStat(text: string): ProcStat | null {
  const split = splitProcStat(text);
  if (split === null) return null;
  const { pid, fields } = split;
  const state = fields[0];
  const pgrp = Number(fields[2]);
  const startTime = fields[19];
  if (state === undefined || !Number.isInteger(pgrp) || startTime === undefined) return null;
  return { pid, state, pgrp, startTime };
}

/** What a state file remembers to recognise its process later. */
export interface ProcessIdentity {
  pid: number;
  pgid: number;
  /** null when the process had already ended before its start time could be read. */
  startTime: string | null;
}

function isLive(stat: ProcStat): boolean {
  return stat.state !== 'Z' && stat.state !== 'X';
}

/**
 * Whether an instance still runs, given every process on the machine. The pid alone is not
 * enough: after a reboot or a long time it may belong to someone else, so the start time must
 * match too. A leader that ended while its group lives on (a shell that forked the server)
 * still counts as running: Linux does not reuse a pid while a group of that id exists, so
 * that group is ours.
 */
export function isInstanceAlive(identity: ProcessIdentity, processes: ReadonlyMap<number, ProcStat>): boolean {
  const leader = processes.get(identity.pid);
  if (leader !== undefined && leader.startTime !== identity.startTime) return false;
  if (leader !== undefined && isLive(leader)) return true;
  return isGroupAlive(identity.pgid, processes);
}

export function isGroupAlive(pgid: number, processes: ReadonlyMap<number, ProcStat>): boolean {
  for (const stat of processes.values()) if (stat.pgrp === pgid && isLive(stat)) return true;
  return false;
}

/**
 * The same answer as isInstanceAlive from what costs one file and one syscall: the leader's own
 * /proc stat (null when it is gone) and whether any process of the group exists at all (signal 0
 * to the group: zombies count). Only when the leader is gone or a zombie while its group still
 * has members does the answer need every process's state ('scan'), to tell zombies from live
 * ones; a liveness check used to read all of /proc every time (health checks, the log
 * collector, and every 50 ms while a stop waits), which on a busy host cost more CPU than the
 * rest of a deploy.
 */
export function instanceLiveness(identity: ProcessIdentity, leader: ProcStat | null, groupExists: boolean): boolean | 'scan' {
  if (leader !== null && leader.startTime !== identity.startTime) return false;
  if (leader !== null && isLive(leader)) return true;
  return groupExists ? 'scan' : false;
}

/** isGroupAlive from the same two cheap readings; 'scan' when only every process's state can tell. */
export function groupLiveness(pgid: number, leader: ProcStat | null, groupExists: boolean): boolean | 'scan' {
  if (!groupExists) return false;
  if (leader !== null && leader.pgrp === pgid && isLive(leader)) return true;
  return 'scan';
}

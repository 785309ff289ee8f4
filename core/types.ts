/**
 * Domain types shared by the roles. Roles talk through these messages and the store,
 * never through each other's internals.
 */
import type { AppName, ProcessType } from './names.js';

export type RuntimeKind = 'docker' | 'process' | 'swarm';

/** A line-oriented log a role writes to while it works (build output, release steps). */
export interface LogSink {
  line(text: string): void;
}

/** Process types and their commands, as a Procfile or launch.toml declares them. */
export type ProcessTable = Record<string, string>;

/**
 * What a build produces. `image` runs on the docker and swarm runtimes; `slug` is a directory
 * on the host that the process runtime launches. Both carry the process table, so the
 * scheduler can start any process type the same way.
 */
export type Artifact = (
  | {
      kind: 'image';
      image: string;
      processes: ProcessTable;
      /**
       * How a non-empty command runs. 'launcher' (buildpack images): the CNB launcher is the
       * ENTRYPOINT and takes the process type. 'shell' (Dockerfile images with a Procfile): the
       * Procfile line runs under `/bin/sh -c`, as on Heroku. An empty command always means the
       * image's own ENTRYPOINT and CMD. Absent means 'launcher' (releases made before 'shell').
       */
      launch?: 'launcher' | 'shell';
    }
  | { kind: 'slug'; dir: string; processes: ProcessTable; env: Record<string, string> }
) & {
  /** app.json `healthchecks.web`, read from the source tree: part of the build, so rollbacks keep it. */
  healthchecks?: HealthcheckSpec[];
  /** app.json `cron` (Dokku's shape), checked at build: run by addons/cron while this release is current. */
  cron?: CronEntry[];
};

/**
 * One app.json health check (Dokku's `healthchecks.web[]` shape, times in seconds): GET `path`
 * up to `attempts` times, each within `timeout`, `wait` apart, after `initialDelay`; it passes
 * on a 2xx/3xx answer whose body contains `content` (when given).
 */
export interface HealthcheckSpec {
  path: string;
  attempts: number;
  timeout: number;
  wait: number;
  initialDelay: number;
  content?: string;
}

export type BuildStrategy = 'dockerfile' | 'buildpacks';

export type DeploymentState = 'queued' | 'building' | 'releasing' | 'succeeded' | 'failed' | 'superseded';

/** What started a deployment: a git push (which git can still reject) or an API call. */
export type DeploymentTrigger = 'push' | 'api';

export const TERMINAL_DEPLOYMENT_STATES: readonly DeploymentState[] = ['succeeded', 'failed', 'superseded'];

export interface App {
  id: number;
  name: AppName;
  deployBranch: string;
  createdAt: Date;
}

export interface Deployment {
  id: number;
  app: AppName;
  ref: string;
  sha: string;
  /** The branch head the pusher's git saw (null when it created the branch). */
  baseSha: string | null;
  trigger: DeploymentTrigger;
  /** The name of the token that asked for it (null for deployments older than the column). */
  actor: string | null;
  state: DeploymentState;
  reason: string | null;
  releaseVersion: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Release {
  id: number;
  app: AppName;
  version: number;
  deploymentId: number | null;
  sha: string | null;
  artifact: Artifact;
  config: Record<string, string>;
  description: string;
  createdAt: Date;
  /** Who made it: 'admin' or the API token's name. */
  actor: string;
  state: ReleaseState;
  failureReason: string | null;
  /** Set once retention removed its image or slug: it can no longer be rolled back to. */
  artifactRemoved: boolean;
}

/** pending until its rollout ends; succeeded once it went live (it may have been replaced since). */
export type ReleaseState = 'pending' | 'succeeded' | 'failed';

/** One running copy of a process type, as a runtime reports it. */
export interface Instance {
  id: string;
  app: AppName;
  release: number;
  processType: ProcessType;
  /** Where the router can reach it, for web processes. */
  upstream: { host: string; port: number } | null;
  state: 'starting' | 'running' | 'exited';
}

/** One app.json `cron` entry: a command run on a schedule (core/cron-schedule.ts) as a one-off process. */
export interface CronEntry {
  command: string;
  schedule: string;
}

/**
 * The builder role's entry: pick the strategy (in exactly one place) and produce an artifact,
 * an image for the docker runtime or a slug directory for the process runtime.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { BuildError } from '../core/errors.js';
import type { AppName } from '../core/names.js';
import type { Artifact, BuildStrategy, LogSink } from '../core/types.js';
import { runLifecycle } from './cnb/lifecycle.js';
import { buildDockerfile } from './dockerfile-build.js';

export interface BuildRequest {
  app: AppName;
  sha: string;
  /** The exported tree at the pushed commit (already extracted). */
  sourceDir: string;
  /** image for the docker runtime, slug for the process runtime. */
  target: 'image' | 'slug';
  /** Scratch space for this build (the caller creates and removes it). */
  workDir: string;
  /** Per-app persistent cache dir (layers cached between builds). */
  cacheDir: string;
  /** App config vars, visible at build time as CNB platform env. */
  env: Record<string, string>;
  log: LogSink;
  /** dockerode, required when target === 'image'. */
  docker?: Docker;
  /** Where a slug is written; default `<cacheDir>/slugs/<sha12>`. Must outlive the build. */
  slugDir?: string;
  /** Buildpacks directory with order.toml; default the repository's buildpacks/. */
  buildpacksDir?: string;
  /**
   * Ends the build early (its time limit, DevFlow stopping): the commands running are stopped,
   * and the build rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

export interface BuildResult {
  artifact: Artifact;
  strategy: BuildStrategy;
  buildpacks: string[];
}

/** The one place the strategy is picked: a Dockerfile wins, else buildpacks. */
export function chooseStrategy(files: { hasDockerfile: boolean }): BuildStrategy {
  return files.hasDockerfile ? 'dockerfile' : 'buildpacks';
}

export function imageTag(app: AppName, sha: string): string {
  return `devflow/${app}:${sha.slice(0, 12)}`;
}

export async function buildApp(req: BuildRequest): Promise<BuildResult> {
  const strategy = chooseStrategy({ hasDockerfile: existsSync(join(req.sourceDir, 'Dockerfile')) });
  const tag = imageTag(req.app, req.sha);
  const labels = { 'devflow.app': req.app, 'devflow.sha': req.sha };
  switch (strategy) {
    case 'dockerfile': {
      if (req.target !== 'image') {
        throw new BuildError(
          'detect',
          'this app has a Dockerfile, which needs the docker runtime; start DevFlow where a Docker engine ' +
            'answers (DEVFLOW_RUNTIME=docker), or remove the Dockerfile to build with buildpacks',
        );
      }
      const artifact = await buildDockerfile({ sourceDir: req.sourceDir, tag, labels, log: req.log, signal: req.signal });
      return { artifact, strategy, buildpacks: [] };
    }
    case 'buildpacks': {
      const result = await runLifecycle({
        ...req,
        tag,
        labels,
        slugDir: req.slugDir ?? join(req.cacheDir, 'slugs', req.sha.slice(0, 12)),
      });
      return { artifact: result.artifact, strategy, buildpacks: result.buildpacks };
    }
    default: {
      const never: never = strategy;
      throw new Error(`unknown strategy ${String(never)}`);
    }
  }
}

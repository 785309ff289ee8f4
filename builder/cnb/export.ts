/**
 * Export phase: turns the built workspace into what a runtime launches. Image: a generated
 * Dockerfile FROM the stack's run image, one COPY per launch layer to /layers/<bp>/<layer>, the
 * app in /workspace, and /cnb/launcher as entrypoint. Slug: the workspace itself, pruned to
 * launch layers, plus the launch environment the process runtime must set.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact, LogSink, ProcessTable } from '../../core/types.js';
import { dockerCliBuild } from '../docker-cli.js';
import { APP_UID, RUN_IMAGE } from '../stack.js';
import { applyEnvModifications, layerEnvModifications } from './layer-env.js';
import { pruneToLaunchLayers, type Layer } from './layers.js';

export const IMAGE_BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The launch environment from launch layers, as the difference from `base`. */
export async function launchEnv(
  layers: Layer[],
  hostLayersDir: string,
  viewLayersDir: string,
  base: Record<string, string>,
): Promise<Record<string, string>> {
  const mods = [];
  for (const l of layers) {
    mods.push(...(await layerEnvModifications(join(hostLayersDir, l.bp, l.name), `${viewLayersDir}/${l.bp}/${l.name}`, 'launch')));
  }
  const env = applyEnvModifications(base, mods);
  return Object.fromEntries(Object.entries(env).filter(([k, v]) => base[k] !== v));
}

function dockerfileString(value: string): string {
  return `"${value.replace(/[\\"$]/g, '\\$&').replace(/\n/g, '\\n')}"`;
}

/** The launcher: `launcher [type]` runs that process type (default web); other arguments run as a command. */
export const LAUNCHER_SCRIPT = `#!/bin/sh
# DevFlow launcher (the CNB launcher's role): run a process type from /cnb/process, or a command.
cd /workspace || exit 1
if [ "$#" -le 1 ]; then
  type="\${1:-web}"
  case "$type" in
    *[!a-z0-9_-]*) ;;
    *) if [ -f "/cnb/process/$type" ]; then exec /bin/bash -c "$(cat "/cnb/process/$type")"; fi ;;
  esac
  if [ "$#" -eq 0 ]; then echo "launcher: this app declares no web process" >&2; exit 1; fi
fi
exec "$@"
`;

export function renderExportDockerfile(layers: Layer[], env: Record<string, string>): string {
  const lines = [`FROM ${RUN_IMAGE}`];
  for (const l of layers) lines.push(`COPY layers/${l.bp}/${l.name} /layers/${l.bp}/${l.name}`);
  lines.push(`COPY --chown=${APP_UID}:${APP_UID} app /workspace`);
  lines.push('COPY export/ /cnb/');
  for (const [k, v] of Object.entries(env)) lines.push(`ENV ${k}=${dockerfileString(v)}`);
  lines.push('USER app', 'WORKDIR /workspace', 'ENTRYPOINT ["/cnb/launcher"]', 'CMD ["web"]', '');
  return lines.join('\n');
}

/** Only the app, the launch layers and the launcher are sent to the engine. */
export function renderExportDockerignore(layers: Layer[]): string {
  return ['*', '!app', '!export', ...layers.map((l) => `!layers/${l.bp}/${l.name}`), ''].join('\n');
}

export async function exportImage(opts: {
  workDir: string;
  layersDir: string;
  layers: Layer[];
  processes: ProcessTable;
  tag: string;
  labels: Record<string, string>;
  log: LogSink;
}): Promise<Artifact> {
  const launch = opts.layers.filter((l) => l.types.launch);
  const env = await launchEnv(launch, opts.layersDir, '/layers', { PATH: IMAGE_BASE_PATH });
  const exportDir = join(opts.workDir, 'export');
  await mkdir(join(exportDir, 'process'), { recursive: true });
  await writeFile(join(exportDir, 'launcher'), LAUNCHER_SCRIPT, { mode: 0o755 });
  for (const [type, command] of Object.entries(opts.processes)) {
    await writeFile(join(exportDir, 'process', type), command);
  }
  await writeFile(join(opts.workDir, 'Dockerfile'), renderExportDockerfile(launch, env));
  await writeFile(join(opts.workDir, '.dockerignore'), renderExportDockerignore(launch));
  opts.log.line(`-----> Exporting ${opts.tag}`);
  // The export Dockerfile is DevFlow's own, so its step-by-step output is noise to the user;
  // a failure still carries the last lines in the BuildError.
  const quiet: LogSink = { line: () => {} };
  await dockerCliBuild({ contextDir: opts.workDir, tag: opts.tag, labels: opts.labels, phase: 'export', log: quiet });
  return { kind: 'image', image: opts.tag, processes: opts.processes };
}

/** The slug is `<slugDir>/app` (the processes' cwd) beside `<slugDir>/layers`. */
export async function exportSlug(opts: { appDir: string; layersDir: string; processes: ProcessTable; log: LogSink }): Promise<Artifact> {
  const launch = await pruneToLaunchLayers(opts.layersDir);
  const base = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
  const env = await launchEnv(launch, opts.layersDir, opts.layersDir, base);
  opts.log.line(`-----> Slug ready in ${opts.appDir}`);
  return { kind: 'slug', dir: opts.appDir, processes: opts.processes, env };
}

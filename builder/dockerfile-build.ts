/**
 * The Dockerfile strategy: `docker build` of the source tree with BuildKit, trusting the host's
 * CA bundle (secret `ca`, e.g. `RUN --mount=type=secret,id=ca,target=/tmp/ca.crt ...`) and
 * passing the npm registry as build-arg NPM_CONFIG_REGISTRY. The web process runs the image's
 * own ENTRYPOINT and CMD, unless a Procfile beside the Dockerfile names a command for it; the
 * Procfile's other lines (a `release` phase, workers) run under `/bin/sh -c` in the same image.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { BuildError } from '../core/errors.js';
import type { Artifact, LogSink, ProcessTable } from '../core/types.js';
import { parseProcfile } from './cnb/processes.js';
import { dockerCliBuild } from './docker-cli.js';
import { hostTrust } from './trust.js';

/** The process table of a Dockerfile image: web is the image's own command unless the Procfile says otherwise. */
export function dockerfileProcesses(procfile: ProcessTable | null): ProcessTable {
  return { web: '', ...(procfile ?? {}) };
}

async function readProcfile(sourceDir: string): Promise<ProcessTable | null> {
  const text = await fs.readFile(path.join(sourceDir, 'Procfile'), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw new BuildError('Procfile', `cannot read it: ${err.message}`, [], { cause: err });
  });
  if (text === null) return null;
  const table = parseProcfile(text);
  if (Object.keys(table).length === 0) throw new BuildError('Procfile', 'it has no `type: command` line; remove it or add one, e.g. `release: ./migrate`');
  return table;
}

export async function buildDockerfile(opts: {
  sourceDir: string;
  tag: string;
  labels: Record<string, string>;
  log: LogSink;
  signal?: AbortSignal;
}): Promise<Artifact> {
  const trust = await hostTrust();
  const procfile = await readProcfile(opts.sourceDir);
  const processes = dockerfileProcesses(procfile);
  opts.log.line(`-----> Building ${opts.tag} from the Dockerfile`);
  if (procfile !== null) opts.log.line(`-----> Procfile process types: ${Object.keys(procfile).join(', ')}`);
  await dockerCliBuild({
    contextDir: opts.sourceDir,
    tag: opts.tag,
    labels: { ...opts.labels, 'devflow.processes': JSON.stringify(processes) },
    buildArgs: { NPM_CONFIG_REGISTRY: trust.npmRegistry },
    secrets: trust.caFile ? [{ id: 'ca', src: trust.caFile }] : [],
    phase: 'build',
    log: opts.log,
    signal: opts.signal,
  });
  // An empty command means "the image's own CMD"; the others are Procfile lines for /bin/sh -c.
  return { kind: 'image', image: opts.tag, processes, launch: 'shell' };
}

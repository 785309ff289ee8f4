/**
 * The Dockerfile strategy: `docker build` of the source tree with BuildKit, trusting the host's
 * CA bundle (secret `ca`, e.g. `RUN --mount=type=secret,id=ca,target=/tmp/ca.crt ...`) and
 * passing the npm registry as build-arg NPM_CONFIG_REGISTRY. The image runs its own CMD.
 */
import type { Artifact, LogSink } from '../core/types.js';
import { dockerCliBuild } from './docker-cli.js';
import { hostTrust } from './trust.js';

export async function buildDockerfile(opts: {
  sourceDir: string;
  tag: string;
  labels: Record<string, string>;
  log: LogSink;
}): Promise<Artifact> {
  const trust = await hostTrust();
  opts.log.line(`-----> Building ${opts.tag} from the Dockerfile`);
  await dockerCliBuild({
    contextDir: opts.sourceDir,
    tag: opts.tag,
    labels: { ...opts.labels, 'devflow.processes': JSON.stringify({ web: '' }) },
    buildArgs: { NPM_CONFIG_REGISTRY: trust.npmRegistry },
    secrets: trust.caFile ? [{ id: 'ca', src: trust.caFile }] : [],
    phase: 'build',
    log: opts.log,
  });
  // An empty command means "the image's own CMD".
  return { kind: 'image', image: opts.tag, processes: { web: '' } };
}

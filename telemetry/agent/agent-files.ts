/**
 * Where the Node agent (bootstrap.ts) lives and how a process loads it (issue 18). On first
 * need, DevFlow bundles the agent with esbuild into `$DEVFLOW_HOME/otel-agent/<key>/`: `sdk.cjs`
 * (the SDK and instrumentations, from DevFlow's own node_modules) and `agent.cjs`, a few lines
 * that load it only when telemetry is on and not opted out (the config var OTEL_NODE_AGENT=off,
 * for apps with their own SDK; or OTEL_SDK_DISABLED=true), and never
 * let a failure to load end the app. The key hashes the agent's source and the OpenTelemetry
 * packages' versions, so a DevFlow upgrade makes a new directory while running instances keep
 * theirs. The directory holds code only, no token: containers get it as a read-only bind mount
 * at AGENT_CONTAINER_DIR (images never contain it); host processes read it where it is.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where containers see `$DEVFLOW_HOME/otel-agent`. */
export const AGENT_CONTAINER_DIR = '/opt/devflow/otel';

/** The packages bundled into sdk.cjs; their versions are part of the key. */
const AGENT_PACKAGES = [
  '@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-proto', '@opentelemetry/instrumentation',
  '@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-pg', '@opentelemetry/instrumentation-undici',
  '@opentelemetry/resources',
];

export function agentHostDir(home: string): string {
  return join(home, 'otel-agent');
}

/** The preload file as one kind of process sees it: in a container through the mount, else on the host. */
export function agentRequirePath(key: string, where: { home: string; inContainer: boolean }): string {
  return where.inContainer ? `${AGENT_CONTAINER_DIR}/${key}/agent.cjs` : join(agentHostDir(where.home), key, 'agent.cjs');
}

/** The NODE_OPTIONS flag that preloads the agent; quoted, as NODE_OPTIONS allows, for paths with spaces. */
export function agentNodeOption(path: string): string {
  return `--require "${path.replace(/(["\\])/g, '\\$1')}"`;
}

/** The loader: cheap when off, and a broken agent only costs the app its spans. */
export const AGENT_LOADER = `'use strict';
// DevFlow's OpenTelemetry agent loader (telemetry/agent/agent-files.ts). Opt out: OTEL_NODE_AGENT=off
// (or the standard OTEL_SDK_DISABLED=true).
const env = process.env;
if (env.OTEL_NODE_AGENT !== 'off' && env.OTEL_SDK_DISABLED !== 'true' && env.OTEL_EXPORTER_OTLP_ENDPOINT) {
  try {
    require('./sdk.cjs');
  } catch (err) {
    process.stderr.write('devflow otel agent: not started: ' + (err && err.message) + '\\n');
  }
}
`;

function bootstrapSource(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // Run from source (tsx) or from dist/ (tsc's output beside it).
  const source = ['bootstrap.ts', 'bootstrap.js'].map((f) => join(here, f)).find((f) => existsSync(f));
  if (source === undefined) throw new Error(`the agent's bootstrap is missing from ${here}`);
  return source;
}

async function agentKey(source: string): Promise<string> {
  const require = createRequire(import.meta.url);
  const hash = createHash('sha256').update(await readFile(source)).update(AGENT_LOADER);
  for (const name of AGENT_PACKAGES) hash.update(`${name}@${(require(`${name}/package.json`) as { version: string }).version}`);
  return hash.digest('hex').slice(0, 16);
}

/** Makes the agent's directory for this DevFlow when it is not there yet; returns its key. */
export async function prepareAgent(home: string): Promise<string> {
  const source = bootstrapSource();
  const key = await agentKey(source);
  const dir = join(agentHostDir(home), key);
  if (existsSync(join(dir, 'agent.cjs'))) return key;
  const building = `${dir}.${process.pid}.tmp`;
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { recursive: true, mode: 0o755 });
  const { build } = await import('esbuild');
  await build({
    entryPoints: [source], outfile: join(building, 'sdk.cjs'), bundle: true, platform: 'node', format: 'cjs',
    target: 'node18', minify: true, legalComments: 'none', logLevel: 'silent',
  });
  await writeFile(join(building, 'agent.cjs'), AGENT_LOADER, { mode: 0o644 });
  // Whole or not at all: a process never sees a half-written agent.
  await rename(building, dir).catch(async (err: NodeJS.ErrnoException) => {
    await rm(building, { recursive: true, force: true });
    if (!existsSync(join(dir, 'agent.cjs'))) throw err;
  });
  return key;
}

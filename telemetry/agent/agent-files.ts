/**
 * Where the Node agent (bootstrap.ts) lives and how a process loads it (issue 18). On first
 * need, DevFlow bundles the agent with esbuild into `$DEVFLOW_HOME/otel-agent/<key>/`: `sdk.cjs`
 * (the SDK and instrumentations, from DevFlow's own node_modules), `hook.mjs` and
 * `lib/register.js` (the ES-module hook and the registry it shares with the SDK), and
 * `agent.cjs`, the loader (loader.ts), which loads the SDK only when decision.ts says so
 * (telemetry on, not opted out, the app without an SDK of its own) and never lets a failure to
 * load end the app. The key hashes the agent's source and the OpenTelemetry
 * packages' versions, so a DevFlow upgrade makes a new directory while running instances keep
 * theirs. The directory holds code only, no token: containers get it as a read-only bind mount
 * at AGENT_CONTAINER_DIR (images never contain it); host processes read it where it is.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

/** Where containers see `$DEVFLOW_HOME/otel-agent`. */
export const AGENT_CONTAINER_DIR = '/opt/devflow/otel';

/** The packages bundled into sdk.cjs; their versions are part of the key. */
const AGENT_PACKAGES = [
  '@opentelemetry/sdk-trace-node', '@opentelemetry/otlp-transformer', '@opentelemetry/core', '@opentelemetry/instrumentation',
  '@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-pg', '@opentelemetry/instrumentation-undici',
  '@opentelemetry/resources', 'import-in-the-middle',
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

/** The files of one agent directory, relative to it (swarm ships each as a config). */
export const AGENT_FILES = ['agent.cjs', 'sdk.cjs', 'hook.mjs', 'lib/register.js', 'package.json'] as const;

function sourceOf(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // Run from source (tsx) or from dist/ (tsc's output beside it).
  const source = [`${name}.ts`, `${name}.js`].map((f) => join(here, f)).find((f) => existsSync(f));
  if (source === undefined) throw new Error(`the agent's ${name} is missing from ${here}`);
  return source;
}

const SOURCES = ['loader', 'decision', 'bootstrap', 'usage-report'];

async function agentKey(): Promise<string> {
  const require = createRequire(import.meta.url);
  const hash = createHash('sha256');
  for (const name of SOURCES) hash.update(await readFile(sourceOf(name)));
  for (const name of AGENT_PACKAGES) hash.update(`${name}@${(require(`${name}/package.json`) as { version: string }).version}`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * The ES-module hook shares its module registry with the SDK through one file: the hook makes
 * every wrapped module import `lib/register.js` beside itself (import-in-the-middle), and the
 * SDK's copy of import-in-the-middle must require that same file rather than a bundled twin,
 * or the instrumentations would never hear of the modules the hook wraps.
 */
const sharedRegister: Plugin = {
  name: 'iitm-shared-register',
  setup(b) {
    b.onResolve({ filter: /^\.\/lib\/register(\.js)?$/ }, (args) =>
      (args.importer.includes('import-in-the-middle') ? { path: './lib/register.js', external: true } : undefined));
  },
};

async function bundleAgent(dir: string): Promise<void> {
  const require = createRequire(import.meta.url);
  const { build } = await import('esbuild');
  const common = { bundle: true, platform: 'node', target: 'node18', minify: true, legalComments: 'none', logLevel: 'silent' } as const;
  await build({ ...common, entryPoints: [sourceOf('loader')], outfile: join(dir, 'agent.cjs'), format: 'cjs' });
  // The packages' ES-module builds where they have one: esbuild drops what the agent does not use
  // from those (their CommonJS builds keep everything an index re-exports).
  await build({
    ...common, entryPoints: [sourceOf('bootstrap')], outfile: join(dir, 'sdk.cjs'), format: 'cjs', plugins: [sharedRegister], mainFields: ['module', 'main'],
  });
  await build({
    ...common, entryPoints: [require.resolve('import-in-the-middle/hook.mjs')], outfile: join(dir, 'hook.mjs'), format: 'esm',
    // The hook's CommonJS parts call require, which an ES module lacks.
    banner: { js: "import { createRequire as __agentRequire } from 'node:module'; const require = __agentRequire(import.meta.url);" },
  });
  await mkdir(join(dir, 'lib'), { mode: 0o755 });
  await copyFile(require.resolve('import-in-the-middle/lib/register.js'), join(dir, 'lib', 'register.js'));
  // The directory may sit under a package.json saying "type": "module" (a DEVFLOW_HOME inside a project).
  await writeFile(join(dir, 'package.json'), '{"type":"commonjs"}\n');
  for (const file of AGENT_FILES) await chmod(join(dir, file), 0o644);
}

/** Makes the agent's directory for this DevFlow when it is not there yet; returns its key. */
export async function prepareAgent(home: string): Promise<string> {
  const key = await agentKey();
  const dir = join(agentHostDir(home), key);
  if (existsSync(join(dir, 'agent.cjs'))) return key;
  const building = `${dir}.${process.pid}.tmp`;
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { recursive: true, mode: 0o755 });
  await bundleAgent(building);
  // Whole or not at all: a process never sees a half-written agent.
  await rename(building, dir).catch(async (err: NodeJS.ErrnoException) => {
    await rm(building, { recursive: true, force: true });
    if (!existsSync(join(dir, 'agent.cjs'))) throw err;
  });
  return key;
}

/**
 * The agent's loader (issue 18): what NODE_OPTIONS `--require` runs in every Node process of an
 * app with telemetry enabled. agent-files.ts bundles it into `agent.cjs`, beside `sdk.cjs` (the
 * SDK, bootstrap.ts) and `hook.mjs` (the ES-module hook). It reads the app's package.json,
 * asks decision.ts whether to run, and loads the SDK only then: cheap when off, and a broken
 * agent only costs the app its spans, never its start.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { decideAgent } from './decision.js';

/** The nearest package.json from the working directory up (an app's Procfile runs from its root). */
function readPackageJson(from: string): unknown {
  for (let dir = from, depth = 0; depth < 8; depth++) {
    try {
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as unknown;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

function load(): void {
  // Preloads run in every thread, Node's own ES-module hooks thread too: the agent belongs in
  // the app's main thread only (one SDK per process, no spans from inside the module loader).
  if (!isMainThread) return;
  const decision = decideAgent({ env: process.env, packageJson: readPackageJson(process.cwd()), entry: process.argv[1] });
  if (!decision.run) {
    if (decision.tell) process.stderr.write(`devflow otel agent: stepping aside, ${decision.reason} (OTEL_NODE_AGENT=on runs it anyway)\n`);
    return;
  }
  try {
    // A plain require of a sibling file: esbuild leaves it as it is (the SDK is bundled apart).
    const sdk = require(join(__dirname, 'sdk.cjs')) as { startAgent(options: { esmHook?: string }): void };
    sdk.startAgent(decision.esm ? { esmHook: pathToFileURL(join(__dirname, 'hook.mjs')).href } : {});
  } catch (err) {
    process.stderr.write(`devflow otel agent: not started: ${(err as Error | undefined)?.message}\n`);
  }
}

load();

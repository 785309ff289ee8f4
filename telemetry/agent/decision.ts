/**
 * Whether DevFlow's Node agent runs in a process, and how (issue 18, "Apps with their own SDK
 * just get the env vars"). Pure: the loader (loader.ts) gathers the inputs when a Node process
 * starts, before any of the app's code, and acts on the answer.
 *
 * Why a static rule: the agent is preloaded (NODE_OPTIONS --require), so it runs before the app
 * could register its own tracer provider; "is a global provider registered?" is always "no" at
 * that moment. Waiting for the app instead would leave the agent's http hooks in place, and the
 * first thing an app's SDK does is patch http again (two server spans per request, spans of its
 * exporter's POSTs). What is known at start is what the app ships: its package.json and its own
 * preloads. The rule, in order:
 * 1. OTEL_NODE_AGENT=off, or the standard OTEL_SDK_DISABLED=true: off.
 * 2. No OTEL_EXPORTER_OTLP_ENDPOINT (telemetry not enabled for the app): off.
 * 3. OTEL_NODE_AGENT=on: on, whatever the app ships.
 * 4. NODE_OPTIONS preloads an OpenTelemetry package (e.g. `--require
 *    @opentelemetry/auto-instrumentations-node/register`): off, the app brought its own.
 * 5. The app's package.json (the nearest one from the working directory) lists an OpenTelemetry
 *    SDK among its dependencies (OWN_SDK_PACKAGES): off.
 * 6. Otherwise on. The ES-module hook is added when the app is an ES module (its package.json
 *    says `"type": "module"`, or the entry file is .mjs): CommonJS apps do not pay for it.
 */

/** Packages that set up a tracer provider: an app depending on one has its own SDK. */
export const OWN_SDK_PACKAGES = [
  '@opentelemetry/sdk-node',
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/auto-instrumentations-node',
] as const;

export interface AgentInputs {
  env: Record<string, string | undefined>;
  /** The app's package.json, parsed; undefined when there is none or it does not parse. */
  packageJson: unknown;
  /** The script Node was asked to run (process.argv[1]), if any. */
  entry: string | undefined;
}

export type AgentDecision =
  | { run: true; esm: boolean }
  | { run: false; reason: string; tell: boolean };

const DEPENDENCY_FIELDS = ['dependencies', 'optionalDependencies'] as const;

function ownSdkIn(packageJson: unknown): string | undefined {
  if (typeof packageJson !== 'object' || packageJson === null) return undefined;
  for (const field of DEPENDENCY_FIELDS) {
    const deps = (packageJson as Record<string, unknown>)[field];
    if (typeof deps !== 'object' || deps === null) continue;
    const found = OWN_SDK_PACKAGES.find((name) => Object.hasOwn(deps, name));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** An OpenTelemetry package named in a --require/--import (or -r) of NODE_OPTIONS. */
function ownPreloadIn(nodeOptions: string | undefined): boolean {
  return /(?:^|\s)(?:--require|--import|-r)(?:=|\s+)["']?@opentelemetry\//.test(nodeOptions ?? '');
}

function isEsm(inputs: AgentInputs): boolean {
  const type = (inputs.packageJson as { type?: unknown } | undefined)?.type;
  return type === 'module' || /\.mjs$/.test(inputs.entry ?? '');
}

export function decideAgent(inputs: AgentInputs): AgentDecision {
  const { env } = inputs;
  if (env.OTEL_NODE_AGENT === 'off' || env.OTEL_SDK_DISABLED === 'true') return { run: false, reason: 'turned off', tell: false };
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return { run: false, reason: 'no OTLP endpoint', tell: false };
  if (env.OTEL_NODE_AGENT === 'on') return { run: true, esm: isEsm(inputs) };
  if (ownPreloadIn(env.NODE_OPTIONS)) return { run: false, reason: 'NODE_OPTIONS preloads an OpenTelemetry package of the app', tell: true };
  const sdk = ownSdkIn(inputs.packageJson);
  if (sdk !== undefined) return { run: false, reason: `the app depends on ${sdk}`, tell: true };
  return { run: true, esm: isEsm(inputs) };
}

/**
 * Environment the lifecycle gives `bin/detect` and `bin/build` (Buildpack API 0.10,
 * "Environment": "Provided by the Lifecycle" → Targets, "Provided by the Platform"): the target
 * variables, and the user-provided variables (the files in `<platform>/env/`: config vars and
 * project.toml build.env) unless the buildpack sets `clear-env`. The `CNB_` prefix is reserved,
 * so user variables may not set it.
 */
import type { Buildpack } from './buildpacks.js';

/** OCI architecture names for Node's `process.arch`. */
const OCI_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

/** The stack is Debian bookworm on Linux (builder/stack.ts), for the host executor too. */
export function targetEnv(): Record<string, string> {
  return {
    CNB_TARGET_OS: 'linux',
    CNB_TARGET_ARCH: OCI_ARCH[process.arch] ?? process.arch,
    CNB_TARGET_DISTRO_NAME: 'debian',
    CNB_TARGET_DISTRO_VERSION: '12',
  };
}

/** Layer path variables: a user value is prepended to what layers set; others override. */
export const LAYER_PATH_VARS = new Set(['PATH', 'LD_LIBRARY_PATH', 'LIBRARY_PATH', 'CPATH', 'PKG_CONFIG_PATH']);

/** Applies user-provided variables over `env` the way the spec says (clear-env honoured). */
export function withUserEnv(env: Record<string, string>, user: Record<string, string>, bp: Pick<Buildpack, 'clearEnv'>): Record<string, string> {
  if (bp.clearEnv) return env;
  const out = { ...env };
  for (const [name, value] of Object.entries(user)) {
    if (name.startsWith('CNB_')) continue;
    const current = out[name];
    out[name] = LAYER_PATH_VARS.has(name) && current ? `${value}:${current}` : value;
  }
  return out;
}

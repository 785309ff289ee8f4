/**
 * What every build must trust: the host's CA bundle (corporate TLS-intercepting proxies are the
 * norm, so builds that ignore it fail with SELF_SIGNED_CERT_IN_CHAIN) and the host's npm registry.
 */
import { existsSync } from 'node:fs';
import { execa } from 'execa';

export interface BuildTrust {
  /** Host path of a PEM bundle, or null when the host has none. */
  caFile: string | null;
  npmRegistry: string;
}

const CA_CANDIDATES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];
const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

let cached: Promise<BuildTrust> | undefined;

/** Reads the host settings once per process; they do not change while DevFlow runs. */
export function hostTrust(): Promise<BuildTrust> {
  cached ??= readHostTrust();
  return cached;
}

async function readHostTrust(): Promise<BuildTrust> {
  const caFile = CA_CANDIDATES.find((file) => existsSync(file)) ?? null;
  const result = await execa('npm', ['config', 'get', 'registry'], { reject: false });
  const registry = result.exitCode === 0 ? result.stdout.trim() : '';
  return { caFile, npmRegistry: /^https?:\/\//.test(registry) ? registry : DEFAULT_REGISTRY };
}

/** Environment that makes node, npm and OpenSSL-based tools trust `caPath` and use the registry. */
export function trustEnv(caPath: string | null, npmRegistry: string): Record<string, string> {
  const env: Record<string, string> = { npm_config_registry: npmRegistry };
  if (caPath) {
    env.NODE_EXTRA_CA_CERTS = caPath;
    env.SSL_CERT_FILE = caPath;
    env.npm_config_cafile = caPath;
  }
  return env;
}

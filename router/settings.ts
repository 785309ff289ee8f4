/**
 * The router's settings from the environment, read in one place (pure, table-tested):
 * DEVFLOW_ACME_DIRECTORY / _EMAIL / _CA_FILE (acme/issuer.ts), DEVFLOW_TLS_CERT_FILE and
 * DEVFLOW_TLS_KEY_FILE (the operator's certificate for `*.<domain>`), DEVFLOW_HTTPS_REDIRECT
 * (redirect every app), DEVFLOW_METRICS (metrics-endpoint.ts).
 */
import { InvalidInputError } from '../core/errors.js';
import { acmeSettingsFromEnv, type AcmeSettings } from './acme/issuer.js';
import { metricsAccessFromEnv, type MetricsAccess } from './metrics-endpoint.js';

export interface RouterSettings {
  acme: AcmeSettings;
  operatorCertificate: { certPem: string; keyPem: string } | undefined;
  httpsRedirectAll: boolean;
  metricsAccess: MetricsAccess;
}

const TRUE = new Set(['1', 'true', 'on', 'yes']);
const FALSE = new Set(['', '0', 'false', 'off', 'no']);

function flag(name: string, value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new InvalidInputError(`${name}="${value}" is not on or off`);
}

export function routerSettingsFromEnv(env: NodeJS.ProcessEnv, readFile: (file: string) => string): RouterSettings {
  const certFile = env.DEVFLOW_TLS_CERT_FILE?.trim();
  const keyFile = env.DEVFLOW_TLS_KEY_FILE?.trim();
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new InvalidInputError('set both DEVFLOW_TLS_CERT_FILE and DEVFLOW_TLS_KEY_FILE (the wildcard certificate for *.<domain> and its key), or neither');
  }
  return {
    acme: acmeSettingsFromEnv(env, readFile),
    operatorCertificate: certFile && keyFile ? { certPem: readFile(certFile), keyPem: readFile(keyFile) } : undefined,
    httpsRedirectAll: flag('DEVFLOW_HTTPS_REDIRECT', env.DEVFLOW_HTTPS_REDIRECT),
    metricsAccess: metricsAccessFromEnv(env),
  };
}

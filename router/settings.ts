/**
 * The router's settings (pure, table-tested): its variables as core/settings.ts parses them
 * (DEVFLOW_ACME_DIRECTORY / _EMAIL / _CA_FILE, DEVFLOW_TLS_CERT_FILE and DEVFLOW_TLS_KEY_FILE for
 * the operator's certificate for `*.<domain>`, DEVFLOW_HTTPS_REDIRECT, DEVFLOW_METRICS), with
 * the files they name read.
 */
import { readRouterVariables, type RouterVariables } from '../core/settings.js';
import { LETS_ENCRYPT_PRODUCTION, type AcmeSettings } from './acme/issuer.js';
import type { MetricsAccess } from './metrics-endpoint.js';

export interface RouterSettings {
  acme: AcmeSettings;
  operatorCertificate: { certPem: string; keyPem: string } | undefined;
  httpsRedirectAll: boolean;
  metricsAccess: MetricsAccess;
}

export function routerSettingsFromEnv(env: NodeJS.ProcessEnv, readFile: (file: string) => string): RouterSettings {
  return routerSettings(readRouterVariables(env), readFile);
}

export function routerSettings(vars: RouterVariables, readFile: (file: string) => string): RouterSettings {
  const { tlsCertFile: certFile, tlsKeyFile: keyFile } = vars;
  return {
    acme: {
      directoryUrl: vars.acmeDirectory ?? LETS_ENCRYPT_PRODUCTION,
      email: vars.acmeEmail,
      caPem: vars.acmeCaFile ? readFile(vars.acmeCaFile) : undefined,
    },
    operatorCertificate: certFile && keyFile ? { certPem: readFile(certFile), keyPem: readFile(keyFile) } : undefined,
    httpsRedirectAll: vars.httpsRedirectAll,
    metricsAccess: vars.metricsAccess,
  };
}

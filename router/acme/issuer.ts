/**
 * Issues one certificate over ACME (RFC 8555) with acme-client, answering the HTTP-01 challenge
 * through the proxy's AcmeChallenges. The ACME server does the real validation; acme-client's own
 * pre-check is skipped because it needs this machine to reach itself by its public name, which
 * NAT and split DNS often prevent, and its failure message would hide the server's reason.
 */
import https from 'node:https';
import tls from 'node:tls';
import type acmeModule from 'acme-client';
import { certificateExpiry, type CertificatePair } from '../tls/self-signed.js';
import type { AcmeChallenges } from './challenges.js';

export const LETS_ENCRYPT_PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory';

export interface AcmeSettings {
  directoryUrl: string;
  email: string | undefined;
  /** Extra CA (PEM) trusted for the ACME server's own TLS, e.g. pebble's or an internal step-ca. */
  caPem: string | undefined;
}

export interface AcmeAccount {
  keyPem: string;
  accountUrl: string | undefined;
}

type Acme = typeof acmeModule;

let acmeClient: Promise<Acme> | undefined;

/**
 * acme-client (with axios, node-forge and the @peculiar ASN.1 tree: about 25 MB resident) loads
 * on the first ACME call, i.e. once a custom domain needs a certificate; most installations never
 * have one (issue 23). Later calls reuse the loaded module.
 */
export function loadAcmeClient(): Promise<Acme> {
  acmeClient ??= import('acme-client').then((loaded) => loaded.default);
  return acmeClient;
}

let trustedCa: string | undefined;

/**
 * acme-client talks through one shared axios instance; point its HTTPS agent at the system roots
 * plus the extra CA. Its default retries (5, growing from 5 s: 75 s in all) are shortened because
 * the renewal loop retries with its own backoff and users wait for the state to change.
 */
function configureAcmeHttp(acme: Acme, caPem: string | undefined): void {
  const defaults = acme.axios.defaults as { acmeSettings?: Record<string, number> };
  defaults.acmeSettings = { ...defaults.acmeSettings, retryMaxAttempts: 2, retryDefaultDelay: 1 };
  acme.axios.defaults.timeout = 30_000;
  if (caPem === trustedCa) return;
  trustedCa = caPem;
  acme.axios.defaults.httpsAgent = caPem === undefined ? undefined : new https.Agent({ ca: [...tls.rootCertificates, caPem] });
}

export async function newAccountKey(): Promise<string> {
  const acme = await loadAcmeClient();
  return (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
}

export interface IssueRequest {
  settings: AcmeSettings;
  account: AcmeAccount;
  domain: string;
  challenges: AcmeChallenges;
}

export interface IssueResult extends CertificatePair {
  /** The account URL, to store so the next order reuses the account. */
  accountUrl: string;
}

export async function issueCertificate(request: IssueRequest): Promise<IssueResult> {
  const acme = await loadAcmeClient();
  configureAcmeHttp(acme, request.settings.caPem);
  const client = new acme.Client({
    directoryUrl: request.settings.directoryUrl,
    accountKey: request.account.keyPem,
    ...(request.account.accountUrl ? { accountUrl: request.account.accountUrl } : {}),
    backoffAttempts: 10,
    backoffMin: 500,
    backoffMax: 5_000,
  });
  const certKey = await acme.crypto.createPrivateEcdsaKey('P-256');
  const [, csr] = await acme.crypto.createCsr({ commonName: request.domain, altNames: [request.domain] }, certKey);
  const chain = await client.auto({
    csr,
    email: request.settings.email,
    termsOfServiceAgreed: true,
    skipChallengeVerification: true,
    challengePriority: ['http-01'],
    challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
      if (challenge.type !== 'http-01') throw new Error(`the ACME server offered no http-01 challenge (only ${challenge.type})`);
      request.challenges.add(challenge.token, keyAuthorization);
    },
    challengeRemoveFn: async (_authz, challenge) => {
      if (challenge.type === 'http-01') request.challenges.remove(challenge.token);
    },
  });
  return { certPem: chain, keyPem: certKey.toString(), notAfter: certificateExpiry(chain), accountUrl: client.getAccountUrl() };
}

/** acme-client's errors carry the ACME problem document as text; keep them short and on one line. */
export function describeAcmeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return oneLine.length > 400 ? `${oneLine.slice(0, 400)}…` : oneLine;
}

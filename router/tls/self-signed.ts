/**
 * The self-signed wildcard for the platform domain (DESIGN.md: "self-signed wildcard for
 * `*.localhost`"), made once at first start with openssl, run as an argument array. Browsers
 * warn about it, but `https://<app>.localhost:8443` works with `curl -k` and for local testing.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export interface CertificatePair {
  certPem: string;
  keyPem: string;
  notAfter: Date;
}

/** The openssl arguments, kept apart so tests can read them without running openssl. */
export function selfSignedArgs(domain: string, days: number, keyFile: string, certFile: string): string[] {
  return [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', String(days),
    '-subj', `/O=DevFlow/CN=*.${domain}`,
    '-addext', `subjectAltName=DNS:*.${domain},DNS:${domain}`,
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'extendedKeyUsage=serverAuth',
  ];
}

export function certificateExpiry(certPem: string): Date {
  return new Date(new X509Certificate(certPem).validTo);
}

export async function makeSelfSignedWildcard(domain: string, days = 825): Promise<CertificatePair> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-cert-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await execa('openssl', selfSignedArgs(domain, days, keyFile, certFile));
    const [certPem, keyPem] = await Promise.all([fs.readFile(certFile, 'utf8'), fs.readFile(keyFile, 'utf8')]);
    return { certPem, keyPem, notAfter: certificateExpiry(certPem) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

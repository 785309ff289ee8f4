/**
 * When to ask the ACME server for a certificate (RFC 8555 issuance, Let's Encrypt's advice to
 * renew well before expiry). Pure: it takes the certificates and the clock and returns what is
 * due, so the policy is tested with tables of cases and an injected `now`.
 *
 * - `pending` (never issued) and `failed`: due at `nextAttemptAt`.
 * - `issued`: due 30 days before `notAfter`; after a failed renewal, at `nextAttemptAt`.
 * - A failure schedules the next attempt with exponential backoff: 1 min, 2, 4, … capped at 6 h.
 */
import type { CertificateRecord } from '../../core/store/certificates.js';

export interface RenewalPolicy {
  renewBeforeMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_RENEWAL_POLICY: RenewalPolicy = {
  renewBeforeMs: 30 * 86_400_000,
  backoffBaseMs: 60_000,
  backoffMaxMs: 6 * 3_600_000,
};

export type CertificateWork = { name: string; kind: 'issue' | 'renew' };

type Planned = Pick<CertificateRecord, 'name' | 'source' | 'state' | 'notAfter' | 'nextAttemptAt' | 'certPem'>;

/** When the certificate next needs the ACME server, or undefined for never (not ours to renew). */
export function dueAt(cert: Planned, policy: RenewalPolicy = DEFAULT_RENEWAL_POLICY): Date | undefined {
  if (cert.source !== 'acme') return undefined;
  if (cert.state !== 'issued' || cert.certPem === null || cert.notAfter === null) return cert.nextAttemptAt ?? new Date(0);
  const renewAt = new Date(cert.notAfter.getTime() - policy.renewBeforeMs);
  // A failed renewal set nextAttemptAt; it wins while it is later than the renewal date.
  return cert.nextAttemptAt !== null && cert.nextAttemptAt > renewAt ? cert.nextAttemptAt : renewAt;
}

export function planCertificateWork(certs: Planned[], now: Date, policy: RenewalPolicy = DEFAULT_RENEWAL_POLICY): CertificateWork[] {
  const work: CertificateWork[] = [];
  for (const cert of certs) {
    const due = dueAt(cert, policy);
    if (due === undefined || due > now) continue;
    work.push({ name: cert.name, kind: cert.state === 'issued' && cert.certPem !== null ? 'renew' : 'issue' });
  }
  return work;
}

/** The delay before attempt number `attempts + 1`, after `attempts` failures in a row. */
export function backoffDelay(attempts: number, policy: RenewalPolicy = DEFAULT_RENEWAL_POLICY): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 30));
  return Math.min(policy.backoffBaseMs * 2 ** exponent, policy.backoffMaxMs);
}

/** The earliest moment any certificate is due, so the manager can sleep until then. */
export function nextWakeUp(certs: Planned[], policy: RenewalPolicy = DEFAULT_RENEWAL_POLICY): Date | undefined {
  let earliest: Date | undefined;
  for (const cert of certs) {
    const due = dueAt(cert, policy);
    if (due !== undefined && (earliest === undefined || due < earliest)) earliest = due;
  }
  return earliest;
}

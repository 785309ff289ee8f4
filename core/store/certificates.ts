/**
 * Certificates in the store (issue 5): one row per host name or `*.` wildcard, with its state
 * (`pending`, `issued`, `failed`), the reason of the last failure, its expiry, the renewal
 * schedule, and the PEM chain. The private key is stored sealed (core/secrets.ts); this module
 * never sees it in the clear.
 */
import type { Sql } from './database.js';

export type CertificateState = 'pending' | 'issued' | 'failed';
export type CertificateSource = 'acme' | 'self-signed' | 'operator';

export interface CertificateRecord {
  name: string;
  source: CertificateSource;
  state: CertificateState;
  reason: string | null;
  certPem: string | null;
  keySealed: string | null;
  notAfter: Date | null;
  attempts: number;
  nextAttemptAt: Date | null;
  updatedAt: Date;
}

interface CertificateRow {
  name: string;
  source: CertificateSource;
  state: CertificateState;
  reason: string | null;
  cert_pem: string | null;
  key_sealed: string | null;
  not_after: Date | null;
  attempts: number;
  next_attempt_at: Date | null;
  updated_at: Date;
}

function toCertificate(row: CertificateRow): CertificateRecord {
  return {
    name: row.name,
    source: row.source,
    state: row.state,
    reason: row.reason,
    certPem: row.cert_pem,
    keySealed: row.key_sealed,
    notAfter: row.not_after,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    updatedAt: row.updated_at,
  };
}

export async function listCertificates(sql: Sql): Promise<CertificateRecord[]> {
  const rows = await sql<CertificateRow[]>`SELECT * FROM certificates ORDER BY name`;
  return rows.map(toCertificate);
}

export async function findCertificate(sql: Sql, name: string): Promise<CertificateRecord | undefined> {
  const rows = await sql<CertificateRow[]>`SELECT * FROM certificates WHERE name = ${name}`;
  return rows[0] ? toCertificate(rows[0]) : undefined;
}

/** Asks for a certificate: a new row starts `pending`, due at once (no next attempt set); an existing one is left alone. */
export async function requestCertificate(sql: Sql, name: string, source: CertificateSource): Promise<void> {
  await sql`
    INSERT INTO certificates (name, source, state) VALUES (${name}, ${source}, 'pending')
    ON CONFLICT (name) DO NOTHING`;
}

export interface IssuedCertificate {
  certPem: string;
  keySealed: string;
  notAfter: Date;
  source: CertificateSource;
}

export async function saveIssuedCertificate(sql: Sql, name: string, cert: IssuedCertificate): Promise<void> {
  await sql`
    INSERT INTO certificates (name, source, state, cert_pem, key_sealed, not_after, attempts, next_attempt_at, updated_at)
    VALUES (${name}, ${cert.source}, 'issued', ${cert.certPem}, ${cert.keySealed}, ${cert.notAfter}, 0, NULL, now())
    ON CONFLICT (name) DO UPDATE SET source = EXCLUDED.source, state = 'issued', reason = NULL,
      cert_pem = EXCLUDED.cert_pem, key_sealed = EXCLUDED.key_sealed, not_after = EXCLUDED.not_after,
      attempts = 0, next_attempt_at = NULL, updated_at = now()`;
}

/**
 * Records a failed attempt. A certificate that was issued stays `issued` (it still serves until
 * it expires) and keeps the reason; one that never was becomes `failed`.
 */
export async function saveCertificateFailure(
  sql: Sql,
  name: string,
  failure: { reason: string; attempts: number; nextAttemptAt: Date },
): Promise<void> {
  await sql`
    UPDATE certificates SET
      state = CASE WHEN cert_pem IS NULL THEN 'failed' ELSE state END,
      reason = ${failure.reason}, attempts = ${failure.attempts}, next_attempt_at = ${failure.nextAttemptAt},
      updated_at = now()
    WHERE name = ${name}`;
}

export async function deleteCertificate(sql: Sql, name: string): Promise<void> {
  await sql`DELETE FROM certificates WHERE name = ${name}`;
}

export interface AcmeAccountRecord {
  keySealed: string;
  accountUrl: string | null;
}

export async function findAcmeAccount(sql: Sql, directoryUrl: string): Promise<AcmeAccountRecord | undefined> {
  const rows = await sql<{ key_sealed: string; account_url: string | null }[]>`
    SELECT key_sealed, account_url FROM acme_accounts WHERE directory_url = ${directoryUrl}`;
  return rows[0] ? { keySealed: rows[0].key_sealed, accountUrl: rows[0].account_url } : undefined;
}

export async function saveAcmeAccount(sql: Sql, directoryUrl: string, account: AcmeAccountRecord): Promise<void> {
  await sql`
    INSERT INTO acme_accounts (directory_url, key_sealed, account_url) VALUES (${directoryUrl}, ${account.keySealed}, ${account.accountUrl})
    ON CONFLICT (directory_url) DO UPDATE SET key_sealed = EXCLUDED.key_sealed, account_url = EXCLUDED.account_url`;
}

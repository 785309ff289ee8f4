/**
 * Keeps every certificate the router serves issued and current (issue 5, "TLS"), with the store
 * as the record: the platform wildcard (operator files, or self-signed at first start), and one
 * ACME certificate per custom domain, issued over HTTP-01 and renewed 30 days before expiry with
 * exponential backoff (acme/renewal.ts decides when). Whenever a certificate changes, `publish`
 * hands the whole set to the proxy and the Traefik writer, so both pick it up without a restart.
 *
 * Keys are sealed with the platform secret key before they reach the store (core/secrets.ts).
 */
import { openSecret, sealSecret, type SecretKey } from '../../core/secrets.js';
import type { Sql } from '../../core/store/database.js';
import {
  deleteCertificate, findAcmeAccount, listCertificates, requestCertificate, saveAcmeAccount,
  saveCertificateFailure, saveIssuedCertificate, type CertificateRecord,
} from '../../core/store/certificates.js';
import type { AcmeChallenges } from '../acme/challenges.js';
import { describeAcmeError, issueCertificate, newAccountKey, type AcmeSettings, type IssueResult } from '../acme/issuer.js';
import { backoffDelay, DEFAULT_RENEWAL_POLICY, nextWakeUp, planCertificateWork, type RenewalPolicy } from '../acme/renewal.js';
import { certificateExpiry, makeSelfSignedWildcard, type CertificatePair } from './self-signed.js';
import { checkCertificatePair, type ServedCertificate } from './sni.js';

export interface CertificateManagerOptions {
  sql: Sql;
  key: SecretKey;
  /** The platform domain: the wildcard `*.<domain>` is the fallback certificate. */
  domain: string;
  acme: AcmeSettings;
  challenges: AcmeChallenges;
  /** The operator's certificate and key for `*.<domain>` (PEM), used instead of a self-signed one. */
  operatorCertificate?: { certPem: string; keyPem: string } | undefined;
  publish(certs: ServedCertificate[], fallback: string): Promise<void> | void;
  log(line: string): void;
  now?: () => Date;
  policy?: RenewalPolicy;
  /** Replaceable in tests; defaults to acme-client against `acme.directoryUrl`. */
  issue?: (domain: string) => Promise<CertificatePair>;
}

/** Longest sleep between checks, so certificates requested by another DevFlow replica are seen. */
const MAX_SLEEP_MS = 15 * 60_000;

export class CertificateManager {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly now: () => Date;
  private readonly policy: RenewalPolicy;

  constructor(private readonly options: CertificateManagerOptions) {
    this.now = options.now ?? (() => new Date());
    this.policy = options.policy ?? DEFAULT_RENEWAL_POLICY;
  }

  get fallbackName(): string {
    return `*.${this.options.domain}`;
  }

  /** Makes sure the platform wildcard exists, publishes what the store holds, starts the schedule. */
  async start(): Promise<void> {
    // Without openssl (or with a broken operator pair) HTTPS lacks its fallback, but custom
    // domains and plain HTTP still work: say so and go on. A bad operator pair stops start-up.
    await this.ensurePlatformCertificate().catch((err: unknown) => {
      if (this.options.operatorCertificate !== undefined) throw err;
      this.options.log(`certificates: no certificate for ${this.fallbackName}: ${describeAcmeError(err)}`);
    });
    await this.publish();
    this.poke();
  }

  /** Runs a round now (after a domain was added or removed); rounds never overlap. */
  poke(): Promise<void> {
    if (this.closed) return this.running;
    this.running = this.running.catch(() => undefined).then(() => this.round());
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running.catch(() => undefined);
  }

  private async round(): Promise<void> {
    clearTimeout(this.timer);
    try {
      await this.syncWithDomains();
      const certs = await listCertificates(this.options.sql);
      const work = planCertificateWork(certs, this.now(), this.policy);
      for (const item of work) {
        if (this.closed) return;
        const cert = certs.find((c) => c.name === item.name)!;
        await this.obtain(cert, item.kind);
      }
      if (work.length > 0) await this.publish();
      this.schedule(nextWakeUp(await listCertificates(this.options.sql), this.policy));
    } catch (err) {
      this.options.log(`certificates: ${describeAcmeError(err)}`);
      this.schedule(new Date(this.now().getTime() + this.policy.backoffBaseMs));
    }
  }

  private schedule(due: Date | undefined): void {
    if (this.closed) return;
    const wait = due === undefined ? MAX_SLEEP_MS : Math.min(Math.max(due.getTime() - this.now().getTime(), 1_000), MAX_SLEEP_MS);
    this.timer = setTimeout(() => void this.poke(), wait);
    this.timer.unref();
  }

  /** Every custom domain has an ACME certificate row, and removed domains lose theirs. */
  private async syncWithDomains(): Promise<void> {
    const { sql } = this.options;
    const domains = await sql<{ name: string }[]>`SELECT name FROM domains`;
    const wanted = new Set(domains.map((d) => d.name));
    for (const name of wanted) await requestCertificate(sql, name, 'acme');
    const acmeCerts = await sql<{ name: string }[]>`SELECT name FROM certificates WHERE source = 'acme'`;
    const stale = acmeCerts.filter((c) => !wanted.has(c.name));
    for (const { name } of stale) await deleteCertificate(sql, name);
    if (stale.length > 0) await this.publish();
  }

  private async obtain(cert: CertificateRecord, kind: 'issue' | 'renew'): Promise<void> {
    const { sql, key, log } = this.options;
    log(`certificates: ${kind === 'issue' ? 'issuing' : 'renewing'} ${cert.name} (${this.options.acme.directoryUrl})`);
    try {
      const pair = await (this.options.issue ?? ((domain) => this.issueWithAcme(domain)))(cert.name);
      await saveIssuedCertificate(sql, cert.name, { certPem: pair.certPem, keySealed: sealSecret(key, pair.keyPem), notAfter: pair.notAfter, source: 'acme' });
      log(`certificates: ${cert.name} issued, valid until ${pair.notAfter.toISOString()}`);
    } catch (err) {
      const attempts = cert.attempts + 1;
      const reason = describeAcmeError(err);
      const nextAttemptAt = new Date(this.now().getTime() + backoffDelay(attempts, this.policy));
      await saveCertificateFailure(sql, cert.name, { reason: kind === 'renew' ? `renewal failed: ${reason}` : reason, attempts, nextAttemptAt });
      log(`certificates: ${cert.name} failed (attempt ${attempts}, next at ${nextAttemptAt.toISOString()}): ${reason}`);
    }
  }

  private async issueWithAcme(domain: string): Promise<IssueResult> {
    const { sql, key, acme } = this.options;
    const stored = await findAcmeAccount(sql, acme.directoryUrl);
    const account = stored
      ? { keyPem: openSecret(key, stored.keySealed), accountUrl: stored.accountUrl ?? undefined }
      : { keyPem: await newAccountKey(), accountUrl: undefined };
    if (!stored) await saveAcmeAccount(sql, acme.directoryUrl, { keySealed: sealSecret(key, account.keyPem), accountUrl: null });
    const result = await issueCertificate({ settings: acme, account, domain, challenges: this.options.challenges });
    if (result.accountUrl !== account.accountUrl) {
      await saveAcmeAccount(sql, acme.directoryUrl, { keySealed: sealSecret(key, account.keyPem), accountUrl: result.accountUrl });
    }
    return result;
  }

  private async ensurePlatformCertificate(): Promise<void> {
    const { sql, key, operatorCertificate } = this.options;
    const name = this.fallbackName;
    if (operatorCertificate !== undefined) {
      checkCertificatePair({ name, ...operatorCertificate });
      const notAfter = certificateExpiry(operatorCertificate.certPem);
      await saveIssuedCertificate(sql, name, { certPem: operatorCertificate.certPem, keySealed: sealSecret(key, operatorCertificate.keyPem), notAfter, source: 'operator' });
      return;
    }
    const existing = (await listCertificates(sql)).find((c) => c.name === name);
    const fresh = existing?.notAfter && existing.notAfter.getTime() > this.now().getTime() + this.policy.renewBeforeMs;
    if (existing?.certPem && fresh) return;
    const pair = await makeSelfSignedWildcard(this.options.domain);
    await saveIssuedCertificate(sql, name, { certPem: pair.certPem, keySealed: sealSecret(key, pair.keyPem), notAfter: pair.notAfter, source: 'self-signed' });
    this.options.log(`certificates: made a self-signed certificate for ${name} (valid until ${pair.notAfter.toISOString()})`);
  }

  /** Hands every usable certificate to the router; one that cannot be opened is reported and skipped. */
  async publish(): Promise<void> {
    const served: ServedCertificate[] = [];
    for (const cert of await listCertificates(this.options.sql)) {
      if (cert.certPem === null || cert.keySealed === null) continue;
      try {
        served.push({ name: cert.name, certPem: cert.certPem, keyPem: openSecret(this.options.key, cert.keySealed) });
      } catch (err) {
        this.options.log(`certificates: cannot use ${cert.name}: ${describeAcmeError(err)}`);
      }
    }
    await this.options.publish(served, this.fallbackName);
  }
}

/**
 * What DevFlow writes for Traefik's file provider: `devflow.yml` and the certificate files it
 * names (`certs/<name>.crt` and `.key`, key mode 0600), rewritten whenever the routing table or
 * a certificate changes. Traefik watches the folder and reloads both without a restart.
 *
 * Nothing is written until both the routing table and the certificates are known: a restarted
 * DevFlow must not replace the previous run's file with one that lacks routes or certificates,
 * or Traefik would withdraw every app's route until the next write.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RoutingTable, Upstream } from './table.js';
import { writeTraefikConfig } from './traefik.js';
import type { ServedCertificate } from './tls/sni.js';

/** `*.localhost` → `wildcard.localhost-<hash>`: readable, and distinct for every name. */
export function certificateFileBase(name: string): string {
  const readable = name.replace(/^\*\./, 'wildcard.').replace(/[^a-z0-9.-]/g, '_');
  return `${readable}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content, { mode });
  await rename(temp, file);
}

export class TraefikFiles {
  private table: RoutingTable | undefined;
  private certificates: Array<{ certFile: string; keyFile: string }> | undefined;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly acmeChallengeUpstream?: Upstream,
  ) {}

  setTable(table: RoutingTable): Promise<void> {
    this.table = table;
    return this.write();
  }

  /** Writes each certificate's files, removes those of certificates that are gone, then the YAML. */
  async setCertificates(certs: ServedCertificate[]): Promise<void> {
    const certDir = path.join(this.dir, 'certs');
    await mkdir(certDir, { recursive: true, mode: 0o700 });
    const entries = [];
    const keep = new Set<string>();
    for (const cert of certs) {
      const base = certificateFileBase(cert.name);
      const certFile = path.join(certDir, `${base}.crt`);
      const keyFile = path.join(certDir, `${base}.key`);
      await writeAtomically(certFile, cert.certPem, 0o644);
      await writeAtomically(keyFile, cert.keyPem, 0o600);
      keep.add(`${base}.crt`).add(`${base}.key`);
      entries.push({ certFile, keyFile });
    }
    for (const file of await readdir(certDir)) if (!keep.has(file)) await rm(path.join(certDir, file), { force: true });
    this.certificates = entries;
    await this.write();
  }

  /** Writes are serialised so an older view never lands after a newer one. */
  private write(): Promise<void> {
    const { table, certificates } = this;
    if (table === undefined || certificates === undefined) return this.writing.then(() => undefined);
    const next = this.writing.catch(() => undefined).then(() =>
      writeTraefikConfig(this.dir, table, {
        tls: { certificates, ...(this.acmeChallengeUpstream ? { acmeChallengeUpstream: this.acmeChallengeUpstream } : {}) },
      }),
    );
    this.writing = next;
    return next.then(() => undefined);
  }
}

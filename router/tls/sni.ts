/**
 * Which certificate the HTTPS listener presents for a TLS ClientHello's server name (SNI,
 * RFC 6066 §3): the certificate for exactly that name, else a `*.` wildcard covering exactly one
 * more label (RFC 6125 §6.4.3, as browsers match), else the fallback (the platform wildcard).
 * `selectCertificateName` is pure; `TlsCertificates` keeps the parsed contexts and is swapped
 * whole, so a renewed certificate serves from the next handshake on, without a restart.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import tls from 'node:tls';

export interface ServedCertificate {
  /** The host name or `*.` wildcard the certificate is filed under. */
  name: string;
  certPem: string;
  keyPem: string;
}

export function selectCertificateName(
  names: ReadonlySet<string>,
  servername: string | undefined,
  fallback: string | undefined,
): string | undefined {
  const host = (servername ?? '').toLowerCase().replace(/\.$/, '');
  if (host !== '') {
    if (names.has(host)) return host;
    const dot = host.indexOf('.');
    if (dot > 0) {
      const wildcard = `*${host.slice(dot)}`;
      if (names.has(wildcard)) return wildcard;
    }
  }
  return fallback !== undefined && names.has(fallback) ? fallback : undefined;
}

/** Checks that the key belongs to the certificate, so a bad pair is refused before it serves. */
export function checkCertificatePair(cert: ServedCertificate): void {
  const x509 = new X509Certificate(cert.certPem);
  if (!x509.checkPrivateKey(createPrivateKey(cert.keyPem))) {
    throw new Error(`the private key of ${cert.name} does not match its certificate`);
  }
}

export class TlsCertificates {
  private contexts = new Map<string, tls.SecureContext>();
  private names: ReadonlySet<string> = new Set();
  private fallback: string | undefined;
  private fallbackPair: { cert: string; key: string } | undefined;

  /** Replaces every certificate at once; pairs that do not parse are skipped and reported. */
  replace(certs: ServedCertificate[], fallback?: string): string[] {
    const contexts = new Map<string, tls.SecureContext>();
    const problems: string[] = [];
    for (const cert of certs) {
      try {
        checkCertificatePair(cert);
        contexts.set(cert.name, tls.createSecureContext({ cert: cert.certPem, key: cert.keyPem }));
      } catch (err) {
        problems.push(`${cert.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.contexts = contexts;
    this.names = new Set(contexts.keys());
    this.fallback = fallback;
    const pair = certs.find((c) => c.name === fallback && contexts.has(c.name));
    this.fallbackPair = pair === undefined ? undefined : { cert: pair.certPem, key: pair.keyPem };
    return problems;
  }

  /** What a client that sends no server name gets (the server's default context). */
  defaultPair(): { cert: string; key: string } | undefined {
    return this.fallbackPair;
  }

  contextFor(servername: string | undefined): tls.SecureContext | undefined {
    const name = selectCertificateName(this.names, servername, this.fallback);
    return name === undefined ? undefined : this.contexts.get(name);
  }

  /** For https.createServer: an unknown name without a fallback fails the handshake. */
  readonly sniCallback = (servername: string, done: (err: Error | null, ctx?: tls.SecureContext) => void): void => {
    const context = this.contextFor(servername);
    if (context === undefined) done(new Error(`no certificate for ${servername}`));
    else done(null, context);
  };
}

/**
 * HTTP-01 challenge responses (RFC 8555 §8.3): while an order is pending, the ACME server fetches
 * `http://<domain>/.well-known/acme-challenge/<token>` and expects the key authorization as the
 * body. The embedded proxy asks this responder before any app routing, so an app can neither
 * hide nor fake a challenge. Tokens live in memory: issuance runs in the same process.
 */
export const CHALLENGE_PREFIX = '/.well-known/acme-challenge/';
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export class AcmeChallenges {
  private readonly pending = new Map<string, string>();

  add(token: string, keyAuthorization: string): void {
    this.pending.set(token, keyAuthorization);
  }

  remove(token: string): void {
    this.pending.delete(token);
  }

  get size(): number {
    return this.pending.size;
  }

  /** The key authorization for a request path, or undefined if it is not a pending challenge. */
  lookup(url: string | undefined): string | undefined {
    if (url === undefined || !url.startsWith(CHALLENGE_PREFIX)) return undefined;
    const token = url.slice(CHALLENGE_PREFIX.length).split('?')[0] ?? '';
    return TOKEN.test(token) ? this.pending.get(token) : undefined;
  }
}

/**
 * Verifies a key or token against one project (RFC 7519 JWTs): HS256 with the project's JWT
 * secret (its API keys and Supabase Auth's classic access tokens), or ES256 with its signing
 * key (signing-key.ts). Another project's token fails the signature check: every project has
 * its own secret and key pair. `exp` and `nbf` are enforced; the role claim must name one of
 * the request roles, so a token cannot ask for the owner role or a superuser.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { BackendRole, JwtClaims, ProjectKeys, TokenCheck } from './contract.js';
import { REQUEST_ROLES } from './provision-sql.js';

export type { TokenCheck } from './contract.js';

/** A project's verification keys, made once when the project loads. */
export class TokenVerifier {
  private readonly secret: Uint8Array;
  private readonly publicKey: KeyObject | undefined;
  private readonly kid: string | undefined;

  constructor(keys: ProjectKeys) {
    this.secret = new TextEncoder().encode(keys.jwtSecret);
    this.kid = keys.signingKey?.kid;
    this.publicKey = keys.signingKey && createPublicKey({ key: keys.signingKey.publicJwk as never, format: 'jwk' });
  }

  async check(token: string): Promise<TokenCheck> {
    let key: Uint8Array | KeyObject;
    let alg: string;
    try {
      const header = decodeProtectedHeader(token);
      alg = String(header.alg);
      if (alg === 'HS256') key = this.secret;
      else if (alg === 'ES256' && this.publicKey && (header.kid === undefined || header.kid === this.kid)) key = this.publicKey;
      else return { ok: false, reason: 'invalid', message: 'No suitable key or wrong key type' };
    } catch {
      return { ok: false, reason: 'invalid', message: 'Expected 3 parts in JWT; got a malformed token' };
    }
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: [alg] });
      const role = payload.role;
      if (typeof role !== 'string' || !(REQUEST_ROLES as readonly string[]).includes(role)) {
        return { ok: false, reason: 'invalid', message: `the token's role "${String(role)}" is not one of ${REQUEST_ROLES.join(', ')}` };
      }
      return { ok: true, role: role as BackendRole, claims: payload as JwtClaims };
    } catch (err) {
      if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired', message: 'JWT expired' };
      if (err instanceof errors.JWTClaimValidationFailed) return { ok: false, reason: 'invalid', message: `JWT ${err.message}` };
      return { ok: false, reason: 'invalid', message: 'JWSError JWSInvalidSignature' };
    }
  }
}

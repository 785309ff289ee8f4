/**
 * A project's asymmetric signing key: ES256 (ECDSA on P-256 with SHA-256, RFC 7518 §3.4), the
 * algorithm Supabase uses for its asymmetric JWT signing keys, and its public half as a JSON Web
 * Key Set (RFC 7517 §5) for /auth/v1/.well-known/jwks.json, so a verifier needs no shared secret.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import type { SigningKey } from './contract.js';

export function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  return {
    kid,
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg: 'ES256', use: 'sig' },
    publicJwk: publicJwk({ ...(publicKey.export({ format: 'jwk' }) as JWK), kid }),
  };
}

/** Only the public members: `d` (the private scalar) must never reach the JWKS. */
function publicJwk(jwk: JWK): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: jwk.kid, alg: 'ES256', use: 'sig', key_ops: ['verify'] };
}

export function jwks(keys: Array<SigningKey | undefined>): { keys: JWK[] } {
  return { keys: keys.filter((k): k is SigningKey => k !== undefined).map((k) => k.publicJwk) };
}

/**
 * Signed URLs as Supabase Storage makes them: an HS256 JWT signed with the project's JWT secret
 * whose claims name the object (`url: "<bucket>/<key>"`), what it allows (`scope`: download or
 * upload) and when it ends (`exp`). Creating one needs the caller to see the object (download)
 * or to be allowed to write it (upload); using one needs nothing but the token.
 * Refusals carry Supabase's errors: a bad or expired token is InvalidJWT with the verifier's
 * message ("\"exp\" claim timestamp check failed"), a token for another object InvalidSignature.
 */
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { BackendProject } from '../contract.js';
import { storageErrors } from './errors.js';

export type SignedScope = 'download' | 'upload';

export interface SignedClaims extends JWTPayload {
  url: string;
  scope?: SignedScope;
  owner?: string | null;
  upsert?: boolean;
}

const secretOf = (project: BackendProject) => new TextEncoder().encode(project.keys.jwtSecret);

/** Supabase's default lifetime of a signed upload URL: two hours. */
export const SIGNED_UPLOAD_SECONDS = 2 * 3600;

export async function signObjectToken(
  project: BackendProject, claims: Omit<SignedClaims, 'iat' | 'exp'>, expiresInSeconds: number, now = Date.now(),
): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.max(1, Math.floor(expiresInSeconds)))
    .sign(secretOf(project));
}

export async function verifyObjectToken(
  project: BackendProject, token: string | null, bucket: string, key: string, scope: SignedScope,
): Promise<SignedClaims> {
  if (!token) throw storageErrors.invalidJwt('Missing token');
  let claims: SignedClaims;
  try {
    ({ payload: claims } = await jwtVerify<SignedClaims>(token, secretOf(project), { algorithms: ['HS256'] }));
  } catch (err) {
    throw storageErrors.invalidJwt((err as Error).message);
  }
  // A token without a scope is a download token from before scopes (as Supabase accepts them).
  const tokenScope = claims.scope ?? (claims.upsert === undefined ? 'download' : 'upload');
  if (tokenScope !== scope) throw storageErrors.invalidSignature(`Token is not scoped for ${scope}`);
  if (claims.url !== `${bucket}/${key}`) throw storageErrors.invalidSignature();
  return claims;
}

export function parseExpiresIn(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 1) throw storageErrors.invalidRequest('expiresIn must be a positive number of seconds');
  return Math.floor(n);
}

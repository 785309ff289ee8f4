/**
 * Access tokens as Supabase Auth issues them: HS256 JWTs signed with the project's JWT secret,
 * `aud: "authenticated"`, the user's role, ids, metadata, the session they belong to, and the
 * authentication methods used (`amr`), so RLS policies reading `auth.jwt()` see what they see
 * on Supabase. Verification yields GoTrue's `bad_jwt` errors.
 */
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { JwtClaims } from '../contract.js';
import { badJwt } from './errors.js';

export interface TokenSubject {
  id: string;
  email: string | null;
  phone: string | null;
  role: string | null;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  isAnonymous: boolean;
}

export interface AmrEntry {
  method: string;
  timestamp: number;
}

export interface AccessTokenInput {
  user: TokenSubject;
  sessionId: string;
  amr: AmrEntry[];
  issuer: string;
  expirySeconds: number;
  nowSeconds: number;
}

export function accessTokenClaims(input: AccessTokenInput): JwtClaims {
  const { user } = input;
  return {
    iss: input.issuer,
    sub: user.id,
    aud: 'authenticated',
    exp: input.nowSeconds + input.expirySeconds,
    iat: input.nowSeconds,
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.appMetadata,
    user_metadata: user.userMetadata,
    role: user.role || 'authenticated',
    aal: 'aal1',
    amr: input.amr,
    session_id: input.sessionId,
    is_anonymous: user.isAnonymous,
  };
}

export async function signAccessToken(claims: JwtClaims, secret: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

/** Verifies a token with the project's secret; any failure is GoTrue's 403 bad_jwt. */
export async function verifyAccessToken(token: string, secret: string, nowSeconds?: number): Promise<JwtClaims> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      currentDate: nowSeconds === undefined ? undefined : new Date(nowSeconds * 1000),
    });
    return payload as JwtClaims;
  } catch (error) {
    throw badJwt(jwtFailureReason(error));
  }
}

function jwtFailureReason(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token has invalid claims: token is expired';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature is invalid';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `token has invalid claims: ${error.message}`;
  return 'token is malformed';
}

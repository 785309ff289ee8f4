/**
 * A project's JWT secret and its two API keys, shaped as Supabase's: HS256 JWTs whose `role`
 * claim names the database role (anon or service_role), with `iss: "supabase"` and the
 * project's `ref`, valid for ten years (keys are rotated by issuing new ones, not by expiry).
 */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { ProjectKeys } from './contract.js';

const TEN_YEARS_S = 10 * 365 * 24 * 3600;

export function newJwtSecret(): string {
  return randomBytes(32).toString('base64url');
}

export async function signApiKey(secret: string, ref: string, role: 'anon' | 'service_role', now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ iss: 'supabase', ref, role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + TEN_YEARS_S)
    .sign(new TextEncoder().encode(secret));
}

export async function newProjectKeys(ref: string): Promise<ProjectKeys> {
  const jwtSecret = newJwtSecret();
  return {
    jwtSecret,
    anonKey: await signApiKey(jwtSecret, ref, 'anon'),
    serviceRoleKey: await signApiKey(jwtSecret, ref, 'service_role'),
  };
}

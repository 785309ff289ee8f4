/**
 * Passwords as Supabase Auth stores them: bcrypt at cost 10 in `auth.users.encrypted_password`,
 * with the `$2a$` prefix Go's bcrypt writes, so PostgreSQL's pgcrypto
 * (`crypt(password, encrypted_password)`) verifies them and users move in and out with their
 * hashes. bcryptjs writes `$2b$`; for passwords under 72 bytes (the only ones accepted) the two
 * prefixes name the same computation. The work runs in worker threads (bcrypt-pool.ts).
 */
import { BcryptPool } from './bcrypt-pool.js';
import { AuthApiError, validationFailed, weakPassword } from './errors.js';

export const BCRYPT_COST = 10;
export const MIN_PASSWORD_LENGTH = 6;
const MAX_PASSWORD_BYTES = 72;

// One pool for the process: its workers start on the first sign-in and idle without holding it open.
const pool = new BcryptPool();

export async function hashPassword(password: string): Promise<string> {
  const hash = await pool.hash(password, BCRYPT_COST);
  return hash.replace(/^\$2b\$/, '$2a$');
}

export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (!hash) return false;
  return pool.compare(password, hash);
}

/** The reason a password is refused, or undefined when it may be used. */
export function passwordProblem(password: unknown): AuthApiError | undefined {
  if (typeof password !== 'string' || password === '') return validationFailed('Password is required', 422);
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
    return validationFailed(`Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`, 422);
  }
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    return weakPassword(`Password should be at least ${MIN_PASSWORD_LENGTH} characters.`, ['length']);
  }
  return undefined;
}

export function assertUsablePassword(password: unknown): asserts password is string {
  const problem = passwordProblem(password);
  if (problem) throw problem;
}

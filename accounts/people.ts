/**
 * People: an email and a bcrypt password hash (bcryptjs, cost 10, as the app backend's Auth: pure JS, so no native build,
 * and async, so hashing yields to other requests). The first person to sign up is the owner:
 * the instance's operator, owner of the `default` team, and the holder of the admin token made
 * before accounts existed, which keeps working as theirs.
 */
import bcrypt from 'bcryptjs';
import { ConflictError, InvalidInputError } from '../core/errors.js';
import type { Sql } from '../core/store/database.js';

export const BCRYPT_COST = 10;
const MIN_PASSWORD = 8;
const MAX_PASSWORD_BYTES = 72;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,63}$/;

export interface Person {
  id: number;
  email: string;
  operator: boolean;
}

export function parseEmail(value: unknown): string {
  const email = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!EMAIL.test(email)) throw new InvalidInputError(`"${String(value)}" is not an email address`);
  return email;
}

export function parsePassword(value: unknown): string {
  if (typeof value !== 'string' || [...value].length < MIN_PASSWORD) {
    throw new InvalidInputError(`a password needs at least ${MIN_PASSWORD} characters`);
  }
  // bcrypt reads 72 bytes; a longer password would be silently cut.
  if (Buffer.byteLength(value) > MAX_PASSWORD_BYTES) throw new InvalidInputError(`a password may have at most ${MAX_PASSWORD_BYTES} bytes`);
  return value;
}

/** Makes a person; the first one becomes the owner (see the header). */
export async function createPerson(sql: Sql, email: string, password: string): Promise<Person & { first: boolean }> {
  const hash = await bcrypt.hash(password, BCRYPT_COST);
  return sql.begin(async (tx) => {
    // Serialises sign-ups, so two first sign-ups cannot both become the owner.
    await tx`LOCK TABLE people IN SHARE ROW EXCLUSIVE MODE`;
    const [people] = await tx<{ count: number }[]>`SELECT count(*)::int AS count FROM people`;
    const first = people!.count === 0;
    const rows = await tx<Person[]>`
      INSERT INTO people (email, password_hash, operator) VALUES (${email}, ${hash}, ${first})
      ON CONFLICT (email) DO NOTHING RETURNING id, email, operator`;
    if (rows.length === 0) throw new ConflictError(`${email} already has an account: sign in with \`devflow login --email ${email}\``);
    const person = rows[0]!;
    if (first) {
      await tx`INSERT INTO memberships (team_id, person_id, role) VALUES (1, ${person.id}, 'owner')`;
      await tx`UPDATE tokens SET person_id = ${person.id} WHERE name = 'admin' AND person_id IS NULL AND team_id IS NULL`;
    }
    return { ...person, first };
  });
}

/** The person whose password this is, or undefined; compares even for unknown emails so timing tells nothing. */
export async function checkPassword(sql: Sql, email: string, password: string): Promise<Person | undefined> {
  const [row] = await sql<(Person & { password_hash: string })[]>`SELECT id, email, operator, password_hash FROM people WHERE email = ${email}`;
  const ok = await bcrypt.compare(password, row?.password_hash ?? (await unknownHash()));
  return ok && row ? { id: row.id, email: row.email, operator: row.operator } : undefined;
}

let unknown: Promise<string> | undefined;
function unknownHash(): Promise<string> {
  unknown ??= bcrypt.hash('no such person', BCRYPT_COST);
  return unknown;
}

export async function findPerson(sql: Sql, email: string): Promise<Person | undefined> {
  const [row] = await sql<Person[]>`SELECT id, email, operator FROM people WHERE email = ${email}`;
  return row;
}

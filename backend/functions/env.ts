/**
 * A function's environment, as Supabase's Edge Runtime gives one: the project's URL and keys
 * under their SUPABASE_ names, and the project's secrets, which on DevFlow are the app's config
 * vars (`devflow config:set`). Nothing of DevFlow's own environment is in it. NODE_OPTIONS is
 * left out: it could widen the worker's permissions or limits. SUPABASE_DB_URL is the project's
 * own database as its owner role, as the app's DATABASE_URL: that role may not connect to any
 * other database on the server (core/store/app-databases.ts revokes CONNECT from PUBLIC).
 */
import { createHash } from 'node:crypto';
import type { BackendProject } from '../contract.js';

const WITHHELD = new Set(['NODE_OPTIONS']);

export function functionEnv(project: Pick<BackendProject, 'url' | 'keys' | 'dbUrl'>, configVars: Record<string, string>): Record<string, string> {
  const secrets = Object.fromEntries(Object.entries(configVars).filter(([key]) => !WITHHELD.has(key)));
  return {
    ...secrets,
    SUPABASE_URL: project.url,
    SUPABASE_ANON_KEY: project.keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: project.keys.serviceRoleKey,
    ...(project.dbUrl && { SUPABASE_DB_URL: project.dbUrl }),
  };
}

/** A digest of an environment: a worker started with other values is not reused for it. */
export function envDigest(env: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(env).sort()) hash.update(`${key}\0${env[key]}\0`);
  return hash.digest('hex').slice(0, 16);
}

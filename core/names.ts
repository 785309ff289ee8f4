/**
 * The one place that validates names coming from users. Everything inside DevFlow takes the
 * branded types and trusts them: they are safe as DNS labels, path segments, Docker names
 * and Postgres identifiers.
 */
import { InvalidInputError } from './errors.js';

export type AppName = string & { readonly __brand: 'AppName' };

const APP_NAME = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$|^[a-z]$/;
const RESERVED = new Set(['api', 'www', 'admin', 'devflow', 'dashboard', 'git', 'traefik']);

/** App names are DNS labels (RFC 1123) that start with a letter, so `<app>.<domain>` always works. */
export function parseAppName(input: unknown): AppName {
  if (typeof input !== 'string' || input.length === 0) {
    throw new InvalidInputError('app name is required');
  }
  if (input.length > 63) {
    throw new InvalidInputError(`app name "${input.slice(0, 70)}" is too long: at most 63 characters`);
  }
  if (!APP_NAME.test(input) || input.includes('--')) {
    throw new InvalidInputError(
      `app name "${input}" is invalid: use lowercase letters, digits and single dashes, ` +
        'starting with a letter and not ending with a dash (e.g. "my-app")',
    );
  }
  if (RESERVED.has(input)) {
    throw new InvalidInputError(`app name "${input}" is reserved: choose another name`);
  }
  return input as AppName;
}

export type ProcessType = string & { readonly __brand: 'ProcessType' };

const PROCESS_TYPE = /^[a-z][a-z0-9_-]{0,29}$/;

/** Procfile process types ("web", "worker"): lowercase, short, safe inside container names. */
export function parseProcessType(input: unknown): ProcessType {
  if (typeof input !== 'string' || !PROCESS_TYPE.test(input)) {
    throw new InvalidInputError(
      `process type "${String(input)}" is invalid: use lowercase letters, digits, "_" or "-", starting with a letter`,
    );
  }
  return input as ProcessType;
}

const CONFIG_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Config var names must be valid environment variable names. */
export function parseConfigKey(input: unknown): string {
  if (typeof input !== 'string' || !CONFIG_KEY.test(input)) {
    throw new InvalidInputError(
      `config var name "${String(input)}" is invalid: use letters, digits and "_", not starting with a digit`,
    );
  }
  return input;
}

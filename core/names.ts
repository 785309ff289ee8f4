/**
 * The one place that validates names coming from users. Everything inside DevFlow takes the
 * branded types and trusts them: they are safe as DNS labels, path segments, Docker names
 * and Postgres identifiers.
 */
import { createHash } from 'node:crypto';
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
  if (RESERVED.has(input) || PREVIEW_APP_NAME.test(input)) {
    throw new InvalidInputError(`app name "${input}" is reserved: choose another name`);
  }
  return input as AppName;
}

/**
 * Previews run as hidden child apps named `pv-<12 hex>`, a pattern users cannot take
 * (parseAppName reserves it), so a preview never collides with an app.
 */
const PREVIEW_APP_NAME = /^pv-[0-9a-f]{12}$/;

export function previewAppName(parent: AppName, slug: string): AppName {
  return `pv-${createHash('sha256').update(`${parent}/${slug}`).digest('hex').slice(0, 12)}` as AppName;
}

/**
 * For names DevFlow wrote itself (container labels, state files): valid app names, previews'
 * included. Never for user input: that goes through parseAppName.
 */
export function parseStoredAppName(input: unknown): AppName {
  if (typeof input === 'string' && PREVIEW_APP_NAME.test(input)) return input as AppName;
  if (typeof input === 'string' && RESERVED.has(input)) return input as AppName;
  return parseAppName(input);
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

export type DomainName = string & { readonly __brand: 'DomainName' };

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Custom domains (RFC 1123 host names): lowercase labels of letters, digits and inner dashes,
 * at most 253 characters, at least two labels, not an IP literal. `*.example.com` only when the
 * caller allows wildcards. A trailing dot and upper case are normalised away.
 */
export function parseDomainName(input: unknown, options: { allowWildcard?: boolean } = {}): DomainName {
  if (typeof input !== 'string' || input.trim() === '') throw new InvalidInputError('domain name is required');
  const shown = JSON.stringify(input.length > 80 ? `${input.slice(0, 80)}…` : input);
  const name = input.trim().toLowerCase().replace(/\.$/, '');
  const invalid = (why: string) => new InvalidInputError(`domain name ${shown} is invalid: ${why}`);
  if (name.length > 253) throw invalid('at most 253 characters');
  if (/^[0-9.]+$/.test(name) || /^\[?[0-9a-f:.]*:[0-9a-f:.]*\]?$/.test(name)) {
    throw invalid('IP addresses are not domain names; point a DNS name at this server instead');
  }
  const labels = name.split('.');
  if (labels[0] === '*') {
    if (!options.allowWildcard) throw invalid('wildcards are not allowed here; add each host name');
    labels.shift();
  }
  if (labels.length < 2) throw invalid('use a full name with a dot, like "www.example.com"');
  for (const label of labels) {
    if (!DNS_LABEL.test(label)) {
      throw invalid(`"${label.slice(0, 70)}" is not a DNS label (letters, digits and inner dashes, 1 to 63 characters)`);
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) throw invalid('the last label must not be all digits');
  return name as DomainName;
}

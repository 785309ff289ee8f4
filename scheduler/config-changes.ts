/**
 * Config var changes (Heroku's `config:set` / `config:unset`, PATCH /apps/{app}/config), pure:
 * parse the request body once, apply it to the current vars, and describe it for the release
 * list ("Set FOO, BAR; unset BAZ").
 */
import { InvalidInputError } from '../core/errors.js';
import { parseConfigKey } from '../core/names.js';

export const MAX_CONFIG_VALUE_BYTES = 32 * 1024;

/**
 * The platform sets these itself in every process, so a config var could never take effect.
 * DEVFLOW_METRICS_PATH is the exception: a setting the app gives DevFlow (which path of its own
 * to scrape, telemetry/metrics/scrape.ts), read from the config vars, never set by the platform.
 */
const RESERVED = /^(PORT|DEVFLOW_(?!METRICS_PATH$).*)$/;

export interface ConfigChanges {
  set: Record<string, string>;
  unset: string[];
}

/** `{ "K": "v", "OLD": null }`: strings set, null unsets. */
export function parseConfigPatch(body: unknown): ConfigChanges {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidInputError('send a JSON object of config vars, e.g. {"FOO": "bar", "OLD": null} (null unsets)');
  }
  const entries = Object.entries(body as Record<string, unknown>);
  if (entries.length === 0) throw new InvalidInputError('no config vars given: send at least one, e.g. {"FOO": "bar"}');
  const changes: ConfigChanges = { set: {}, unset: [] };
  for (const [rawKey, value] of entries) {
    const key = parseConfigKey(rawKey);
    if (RESERVED.test(key)) {
      throw new InvalidInputError(`config var ${key} is set by DevFlow itself in every process and cannot be changed`);
    }
    if (value === null) changes.unset.push(key);
    else changes.set[key] = parseConfigValue(key, value);
  }
  return changes;
}

function parseConfigValue(key: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new InvalidInputError(`config var ${key} must be a string (or null to unset it), got ${typeof value}`);
  }
  if (Buffer.byteLength(value, 'utf8') > MAX_CONFIG_VALUE_BYTES) {
    throw new InvalidInputError(`config var ${key} is too long: values are at most 32 KiB`);
  }
  return value;
}

export function applyConfigChanges(vars: Record<string, string>, changes: ConfigChanges): Record<string, string> {
  const next = { ...vars, ...changes.set };
  for (const key of changes.unset) delete next[key];
  return Object.fromEntries(Object.entries(next).sort(([a], [b]) => a.localeCompare(b)));
}

export function describeConfigChanges(changes: ConfigChanges): string {
  const parts: string[] = [];
  const set = Object.keys(changes.set);
  if (set.length > 0) parts.push(`Set ${set.join(', ')}`);
  if (changes.unset.length > 0) parts.push(`${parts.length > 0 ? 'unset' : 'Unset'} ${changes.unset.join(', ')}`);
  return parts.join('; ');
}

export function sameVars(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/**
 * `--extensions pg_trgm,hstore`: the option parsed once, pure (table tests beside it).
 * Extension names are plain identifiers (PostgreSQL "CREATE EXTENSION"); anything else is
 * refused here, before it could reach SQL.
 */
import { InvalidInputError } from '../../core/errors.js';

const NAME = /^[a-z_][a-z0-9_-]{0,62}$/;

export function parseExtensions(input: string | undefined): string[] {
  if (input === undefined || input.trim() === '') {
    throw new InvalidInputError('name the extensions to enable: --extensions pg_trgm,hstore');
  }
  const names = input.split(',').map((n) => n.trim().toLowerCase()).filter((n) => n !== '');
  const bad = names.filter((n) => !NAME.test(n));
  if (bad.length > 0) throw new InvalidInputError(`"${bad.join('", "')}" is not an extension name (letters, digits, _ and -)`);
  return [...new Set(names)];
}

/** The names not among the server's pg_available_extensions, as a message; undefined when all are there. */
export function missingExtensionsMessage(wanted: readonly string[], available: readonly string[]): string | undefined {
  const have = new Set(available);
  const missing = wanted.filter((n) => !have.has(n));
  if (missing.length === 0) return undefined;
  const hint = [...have].sort().slice(0, 30).join(', ');
  return `this PostgreSQL server has no extension ${missing.map((n) => `"${n}"`).join(', ')}; it has: ${hint}${have.size > 30 ? ', …' : ''}`;
}

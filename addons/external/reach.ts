/**
 * Reaching a server the operator named (the neo4j and vespa add-ons, issue 21): one HTTP call
 * with a time limit, its failures turned into messages a user can act on ("cannot reach …:
 * connection refused"), never including credentials. Checked at `addons:create`, so a typo in a
 * URL or a refused password is a 400 there, not a broken app later.
 */
import { InvalidInputError } from '../../core/errors.js';

const TIMEOUT_MS = 5_000;

export interface Answer {
  status: number;
  body: unknown;
}

/** The cause of a failed fetch, in words: "connection refused", "no such host", "timed out". */
export function reachFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: string } })?.cause?.code ?? (err as { name?: string })?.name;
  switch (cause) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return 'no such host';
    case 'TimeoutError':
    case 'ETIMEDOUT': return `no answer within ${TIMEOUT_MS / 1000} s`;
    case 'ECONNRESET': return 'the connection was reset';
    default: return 'the request failed';
  }
}

/** Sends one request to `what` (e.g. "neo4j at http://graph:7474"); throws InvalidInputError when it cannot be reached. */
export async function callServer(what: string, url: string, init: RequestInit = {}): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new InvalidInputError(`cannot reach ${what}: ${reachFailure(err)}`);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, body };
}

/** A URL option: present, parsed, one of `protocols`, printed without its credentials in errors. */
export function parseServerUrl(input: string | undefined, option: string, protocols: readonly string[], example: string): URL {
  if (input === undefined || input === '') throw new InvalidInputError(`name the server: --${option} ${example}`);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new InvalidInputError(`--${option} is not a URL: use the form ${example}`);
  }
  if (!protocols.includes(url.protocol.replace(/:$/, ''))) {
    throw new InvalidInputError(`--${option} must be ${protocols.map((p) => `${p}://`).join(' or ')} (got ${url.protocol}//)`);
  }
  return url;
}

/** Options a provider does not know are refused by name. */
export function refuseUnknownOptions(kind: string, options: Record<string, string>, known: readonly string[]): void {
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new InvalidInputError(`the ${kind} add-on takes --${known.join(', --')} (got --${unknown.join(', --')})`);
}

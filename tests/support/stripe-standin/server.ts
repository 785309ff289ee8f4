/**
 * The stand-in's HTTP face: Stripe's API conventions (API reference, "Authentication",
 * "Idempotent requests", "Errors", "Expanding responses") around the resource routes.
 * - `Authorization: Bearer sk_test_…` (or Basic with the key as user); each key is its own account.
 * - POST bodies are form-encoded; GET and DELETE parameters are in the query string.
 * - `Idempotency-Key`: a key seen before with the same request replays the saved response
 *   (`Idempotent-Replayed: true`); with other parameters it is a 400 `idempotency_error`. As
 *   at Stripe, only requests that began executing are saved, not ones refused by validation.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { Account, newId, type StripeObject } from './account.js';
import { checkoutRoutes, completeCheckout, publicView } from './checkout.js';
import { customerRoutes } from './customers.js';
import { endpointRoutes, newEvent } from './endpoints.js';
import { StripeApiError } from './errors.js';
import { parseForm, type Form } from './form.js';
import { meterRoutes } from './meters.js';
import { servePage } from './pages.js';
import { checkParams, type Route, type RouteContext } from './route.js';
import { subscriptionRoutes } from './subscriptions.js';
import type { Deliverer } from './webhooks.js';

const ROUTES: Route[] = [...customerRoutes, ...checkoutRoutes, ...subscriptionRoutes, ...meterRoutes, ...endpointRoutes];

/** The API version events are stamped with when the client named none. */
export const DEFAULT_API_VERSION = '2026-11-18.endive';

export interface RequestRecord {
  method: string;
  path: string;
  secretKey: string;
  params: Form;
  idempotencyKey?: string;
  status: number;
}

export class Accounts {
  private readonly byKey = new Map<string, Account>();
  apiVersion = DEFAULT_API_VERSION;

  constructor(private readonly deliverer: Deliverer) {}

  get(secretKey: string): Account {
    let account = this.byKey.get(secretKey);
    if (!account) this.byKey.set(secretKey, (account = new Account(secretKey)));
    return account;
  }

  /** The account holding an object id, and the object (for pages and test helpers). */
  locate(id: string): { account: Account; object: StripeObject } | undefined {
    for (const account of this.byKey.values()) {
      const object = account.objects.get(id);
      if (object) return { account, object };
    }
    return undefined;
  }

  emitter(account: Account): RouteContext['emit'] {
    return (type, object, previous) => {
      const event = account.put(newEvent(type, publicView(object), previous, this.apiVersion));
      this.deliverer.enqueue(account, event);
      return event;
    };
  }
}

function secretKeyOf(req: http.IncomingMessage): string {
  const auth = req.headers.authorization ?? '';
  const key = auth.startsWith('Bearer ') ? auth.slice(7)
    : auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().split(':')[0]! : '';
  if (!key) {
    throw new StripeApiError(401, 'invalid_request_error', "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').");
  }
  if (!/^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key)) {
    throw new StripeApiError(401, 'invalid_request_error', `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}`);
  }
  return key;
}

/** `expand[]=subscription` or `data.customer`: ids replaced by their objects. */
function expand(object: StripeObject, paths: unknown, account: Account): StripeObject {
  if (!Array.isArray(paths)) return object;
  const copy = structuredClone(object);
  for (const path of paths as string[]) {
    const [head, field] = path.split('.');
    const targets = head === 'data' && field && Array.isArray(copy.data) ? (copy.data as StripeObject[]) : [copy];
    const name = head === 'data' && field ? field : head!;
    for (const target of targets) {
      const id = target[name];
      const found = typeof id === 'string' ? account.objects.get(id) : undefined;
      if (found) target[name] = publicView(found);
    }
  }
  return copy;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface StandinHooks {
  /**
   * Runs after a request was handled (its effects are in the state) and before the answer is
   * written: a test can stop the client here, e.g. kill a process between send and commit.
   */
  beforeReply?: (record: RequestRecord) => Promise<void> | void;
}

export function createStandinServer(accounts: Accounts, requests: RequestRecord[], base: () => string, hooks: StandinHooks = {}): http.Server {
  const answer = async (req: http.IncomingMessage, url: URL, body: string, log: (r: RequestRecord) => void): Promise<Answer> => {
    const secretKey = secretKeyOf(req);
    const account = accounts.get(secretKey);
    const version = req.headers['stripe-version'];
    if (typeof version === 'string') accounts.apiVersion = version;
    const method = req.method ?? 'GET';
    if (method === 'POST' && body && !String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      throw new StripeApiError(400, 'invalid_request_error', `Invalid request: unsupported Content-Type ${String(req.headers['content-type'])}.`);
    }
    const params = parseForm(method === 'POST' ? body : url.search.slice(1));
    const idempotencyKey = method === 'POST' ? (req.headers['idempotency-key'] as string | undefined) : undefined;
    log({ method, path: url.pathname, secretKey, params, idempotencyKey, status: 0 });
    const route = ROUTES.find((r) => r.method === method && r.path.test(url.pathname));
    if (!route) throw new StripeApiError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${url.pathname}).`);
    const fingerprint = createHash('sha256').update(`${method} ${url.pathname} ${body}`).digest('hex');
    const saved = idempotencyKey ? account.idempotency.get(idempotencyKey) : undefined;
    if (saved && saved.fingerprint !== fingerprint) {
      throw new StripeApiError(400, 'idempotency_error', `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`);
    }
    if (saved) return { status: saved.status, body: saved.body, headers: { 'idempotent-replayed': 'true' } };
    checkParams(params, route.params);
    const match = route.path.exec(url.pathname)!.slice(0);
    const object = await route.handle({ account, params, match, base: base(), emit: accounts.emitter(account) });
    const result = expand(object, params.expand, account);
    if (idempotencyKey) account.idempotency.set(idempotencyKey, { fingerprint, status: 200, body: result });
    return { status: 200, body: result };
  };

  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    readBody(req).then(async (body) => {
      if (servePage({ locate: (id) => accounts.locate(id), complete: (account, id) => completeCheckout(account, id, accounts.emitter(account)) },
        req.method ?? 'GET', url.pathname, res)) return;
      let reply: Answer;
      let record: RequestRecord | undefined;
      try {
        reply = await answer(req, url, body, (r) => requests.push((record = r)));
      } catch (err) {
        const error = err instanceof StripeApiError ? err : new StripeApiError(500, 'api_error', `stand-in error: ${(err as Error).message}`);
        reply = { status: error.status, body: error.body(), headers: error.shouldRetry === false ? { 'stripe-should-retry': 'false' } : {} };
      }
      if (record) record.status = reply.status;
      if (record && hooks.beforeReply) await hooks.beforeReply(record);
      res.writeHead(reply.status, { 'content-type': 'application/json', 'request-id': newId('req_'), 'stripe-version': accounts.apiVersion, ...reply.headers });
      res.end(JSON.stringify(reply.body, null, 2));
    }).catch((err) => {
      res.writeHead(500).end(String(err));
    });
  });
}

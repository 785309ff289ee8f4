/**
 * `/stripe/v1` on an app's backend (backend/stripe/README.md):
 *
 * - `POST /webhook`: Stripe's deliveries for this app, served without an API key (Stripe sends
 *   none; the gateway's `keyless`), verified with this app's signing secret (webhook.ts).
 * - `POST /checkout`, `POST /portal`: a Checkout or customer-portal session for the calling
 *   user (a user's access token), or for `userId` when the caller holds the service-role key;
 *   the answer is `{ id, url }` to redirect the browser to.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DevflowError } from '../../core/errors.js';
import { parseStoredAppName } from '../../core/names.js';
import type { SecretKey } from '../../core/secrets.js';
import { findApp } from '../../core/store/apps.js';
import type { Sql } from '../../core/store/database.js';
import type { BackendService, RequestContext } from '../contract.js';
import { stripeClient, stripeErrorType, type StripeApi } from './client.js';
import { ensureCustomer } from './customers.js';
import { scrubSecrets, type StripeCredentials } from './keys.js';
import { parseCheckoutRequest, parsePortalRequest } from './requests.js';
import { openConnection } from './store.js';
import { receiveWebhook } from './webhook.js';

export interface StripeServiceDeps {
  /** The control plane, where the app's sealed keys are. */
  sql: Sql;
  secretKey: SecretKey;
  api?: StripeApi;
  log: (line: string) => void;
}

/** A Stripe event is small; Stripe caps API objects far below this. */
const BODY_LIMIT = 2 * 1024 * 1024;

class HttpAnswer extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new HttpAnswer(413, `the body is larger than ${BODY_LIMIT} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpAnswer(400, 'the body is not JSON');
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }).end(text);
}

/** Whose customer a session is for: the token's user, or the service role's `userId`. */
function sessionUser(ctx: RequestContext, requested: string | undefined): string {
  if (ctx.role === 'service_role') {
    if (!requested) throw new HttpAnswer(400, 'with the service-role key, name the user: "userId"');
    return requested;
  }
  if (ctx.role === 'authenticated' && typeof ctx.claims.sub === 'string') {
    if (requested && requested !== ctx.claims.sub) throw new HttpAnswer(403, "a user's token opens sessions for that user only");
    return ctx.claims.sub;
  }
  throw new HttpAnswer(401, "sign in first: a user's access token (or the service-role key with userId) is needed");
}

export function createStripeService(deps: StripeServiceDeps): BackendService {
  const credentialsFor = async (ref: string): Promise<{ appId: number; credentials: StripeCredentials }> => {
    const app = await findApp(deps.sql, parseStoredAppName(ref)).catch(() => undefined);
    const credentials = app && (await openConnection(deps.sql, deps.secretKey, app.id));
    if (!app || !credentials) throw new HttpAnswer(404, `${ref} has not connected Stripe: \`devflow stripe:connect ${ref}\``);
    return { appId: app.id, credentials };
  };

  const stripeError = (err: unknown, credentials: StripeCredentials): HttpAnswer => {
    const message = scrubSecrets(err instanceof Error ? err.message : String(err), [credentials.secretKey, credentials.webhookSecret]);
    const type = stripeErrorType(err);
    if (type === 'StripeInvalidRequestError' || type === 'StripeCardError') return new HttpAnswer(400, `Stripe refused the request: ${message}`);
    if (type !== undefined) return new HttpAnswer(502, `Stripe could not make the session: ${message}`);
    return new HttpAnswer(500, message);
  };

  const webhook = async (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => {
    const { credentials } = await credentialsFor(ctx.project.ref);
    const signature = req.headers['stripe-signature'];
    const outcome = await receiveWebhook(ctx.project.sql, credentials.webhookSecret, await readRaw(req), Array.isArray(signature) ? signature[0] : signature);
    if (!outcome.ok) return reply(res, 400, { error: outcome.message });
    reply(res, 200, { received: true, id: outcome.eventId, duplicate: outcome.duplicate });
  };

  const session = async (req: IncomingMessage, res: ServerResponse, ctx: RequestContext, kind: 'checkout' | 'portal') => {
    const body = parseJson(await readRaw(req));
    const input = kind === 'checkout' ? parseCheckoutRequest(body) : parsePortalRequest(body);
    const userId = sessionUser(ctx, input.userId);
    const { credentials } = await credentialsFor(ctx.project.ref);
    const stripe = await stripeClient(credentials.secretKey, deps.api);
    try {
      const customer = await ensureCustomer(ctx.project.sql, stripe, userId);
      if (!customer) throw new HttpAnswer(404, `no user ${userId} in this app's Auth`);
      const made = 'price' in input
        ? await stripe.checkout.sessions.create({
          customer, mode: input.mode, client_reference_id: userId, success_url: input.successUrl, cancel_url: input.cancelUrl,
          line_items: [{ price: input.price, quantity: input.quantity }], metadata: { devflow_user_id: userId },
        })
        : await stripe.billingPortal.sessions.create({ customer, return_url: input.returnUrl });
      reply(res, 200, { id: made.id, url: made.url, customer });
    } catch (err) {
      throw err instanceof HttpAnswer ? err : stripeError(err, credentials);
    }
  };

  return {
    prefix: 'stripe/v1',
    keyless: (method, path) => method === 'POST' && (path === '/webhook' || path.startsWith('/webhook?')),
    async handle(req, res, ctx, path) {
      const route = path.split('?')[0];
      try {
        if (req.method === 'POST' && route === '/webhook') return await webhook(req, res, ctx);
        if (req.method === 'POST' && route === '/checkout') return await session(req, res, ctx, 'checkout');
        if (req.method === 'POST' && route === '/portal') return await session(req, res, ctx, 'portal');
        reply(res, 404, { error: 'no such Stripe route: POST /stripe/v1/webhook, /stripe/v1/checkout or /stripe/v1/portal' });
      } catch (err) {
        if (err instanceof HttpAnswer) return reply(res, err.status, { error: err.message });
        if (err instanceof DevflowError && err.code === 'invalid_input') return reply(res, 400, { error: err.message });
        deps.log(`backend stripe (${ctx.project.ref}): ${err instanceof Error ? err.message : String(err)}`);
        reply(res, 500, { error: 'the Stripe helper failed; see DevFlow\'s log' });
      }
    },
  };
}

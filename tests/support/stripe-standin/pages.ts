/**
 * The pages a user's browser is sent to: the Checkout page (`session.url`) and the portal
 * (`portal session.url`). Posting the Checkout page's form is the customer paying; it redirects
 * to the session's success_url as Stripe does. Plain HTML: enough for a test or a person.
 */
import type http from 'node:http';
import type { Account, StripeObject } from './account.js';
import { StripeApiError } from './errors.js';

const escape = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: http.ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><title>${escape(title)}</title><h1>${escape(title)}</h1>${body}`);
}

export interface PageDeps {
  locate(id: string): { account: Account; object: StripeObject } | undefined;
  complete(account: Account, id: string): StripeObject;
}

export function servePage(deps: PageDeps, method: string, pathname: string, res: http.ServerResponse): boolean {
  const checkout = /^\/c\/pay\/(cs_[A-Za-z0-9_]+)$/.exec(pathname);
  const portal = /^\/p\/session\/(bps_[A-Za-z0-9]+)$/.exec(pathname);
  const found = deps.locate((checkout ?? portal)?.[1] ?? '');
  if (!found) return false;
  const { account, object } = found;
  if (portal && method === 'GET') {
    const subs = account.all('subscription').filter((s) => s.customer === object.customer);
    const rows = subs.map((s) => `<li>${escape(s.id)}: ${escape(s.status)}</li>`).join('');
    page(res, 200, 'Billing portal (Stripe stand-in)', `<ul>${rows}</ul><a href="${escape(object.return_url)}">Return</a>`);
    return true;
  }
  if (checkout && method === 'GET') {
    page(res, 200, 'Checkout (Stripe stand-in)', `<p>${escape(object.mode)} session ${escape(object.id)}: ${escape(object.status)}</p>
<form method="post"><button>Pay</button></form>`);
    return true;
  }
  if (checkout && method === 'POST') {
    try {
      const session = deps.complete(account, object.id!);
      const next = typeof session.success_url === 'string' ? session.success_url.replace('{CHECKOUT_SESSION_ID}', session.id!) : undefined;
      if (next) res.writeHead(303, { location: next }).end();
      else page(res, 200, 'Paid', `<p>${escape(session.id)} is complete.</p>`);
    } catch (err) {
      page(res, err instanceof StripeApiError ? err.status : 500, 'Checkout refused', `<p>${escape((err as Error).message)}</p>`);
    }
    return true;
  }
  return false;
}

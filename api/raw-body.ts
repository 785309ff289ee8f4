/**
 * The raw bytes of a webhook's JSON body, kept while express.json parses it: a signature (Stripe's,
 * a git host's) is over the bytes as sent, which re-serialising the parsed JSON would not give.
 * Only paths that end in /webhook keep them.
 */
import type http from 'node:http';
import type { Request } from 'express';

const RAW = Symbol('raw body');

/** express.json's `verify` hook. */
export function keepWebhookBody(req: http.IncomingMessage, _res: http.ServerResponse, body: Buffer): void {
  if (/\/webhook(\?|$)/.test(req.url ?? '')) (req as unknown as Record<symbol, Buffer>)[RAW] = body;
}

export function rawBodyOf(req: Request): Buffer | undefined {
  return (req as unknown as Record<symbol, Buffer | undefined>)[RAW];
}

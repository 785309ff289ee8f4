/**
 * POST /hooks/<app>/pull-request: pull-request webhooks from the repository host; POST
 * /hooks/<app>/git: the connected repository's push and pull-request webhooks (issue 22). They carry
 * no DevFlow token; the HMAC signature over the raw body (checked by the preview service) is
 * their authentication, so the body is read raw and bounded here.
 */
import type http from 'node:http';
import { DevflowError } from '../core/errors.js';

const PATH = /^\/hooks\/([^/]+)\/(pull-request|git)$/;
const MAX_BODY = 5 * 1024 * 1024;

export interface WebhookReceiver {
  receiveWebhook(app: string, headers: http.IncomingHttpHeaders, body: Buffer): Promise<string>;
}

/** Handles the request when it is a webhook; returns false otherwise. */
export function handleWebhook(req: http.IncomingMessage, res: http.ServerResponse, previews: WebhookReceiver, git?: WebhookReceiver): boolean {
  const match = PATH.exec(new URL(req.url ?? '/', 'http://x').pathname);
  const receiver = match?.[2] === 'git' ? git : previews;
  if (!match || !receiver) return false;
  if (req.method !== 'POST') {
    reply(res, 405, { error: { code: 'method_not_allowed', message: 'webhooks are delivered with POST' } });
    return true;
  }
  void readBody(req)
    .then((body) => receiver.receiveWebhook(decodeURIComponent(match[1]!), req.headers, body))
    .then((result) => reply(res, 202, { result }))
    .catch((err: unknown) => replyError(res, err));
  return true;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new DevflowError('invalid_input', 'the webhook body is larger than 5 MB'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const STATUS: Partial<Record<DevflowError['code'], number>> = { unauthorized: 401, not_found: 404, invalid_input: 400, conflict: 409 };

function replyError(res: http.ServerResponse, err: unknown): void {
  if (err instanceof DevflowError) {
    reply(res, STATUS[err.code] ?? 500, { error: { code: err.code, message: err.message } });
    return;
  }
  console.error('devflow webhook error:', err);
  reply(res, 500, { error: { code: 'internal', message: 'internal error; see the DevFlow server log' } });
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Calls the DevFlow API like any HTTP client and checks every JSON response against the
 * OpenAPI document the server itself serves: the status must be one the operation declares,
 * and the body must match that status's schema. Problems are collected for the test to assert.
 */
import http from 'node:http';
import { checkSchema, type Schema } from '../../api/schema-check.js';

interface OperationDoc {
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: T;
  text: string;
}

export class CheckedApi {
  readonly problems: string[] = [];
  checked = 0;
  private doc: Schema | undefined;

  constructor(readonly base: string, readonly token: string) {}

  async call<T = unknown>(method: string, path: string, options: { token?: string | null; body?: unknown; localAddress?: string } = {}): Promise<ApiResponse<T>> {
    this.doc ??= (await raw('GET', `${this.base}/api/v1/openapi.json`, {})).json as Schema;
    const token = options.token === undefined ? this.token : options.token;
    const res = await raw(method, `${this.base}/api/v1${path}`, { token, body: options.body, localAddress: options.localAddress });
    this.check(method, path, res);
    return { status: res.status, headers: res.headers, body: res.json as T, text: res.text };
  }

  private check(method: string, path: string, res: RawResponse): void {
    const op = findOperation(this.doc!, method, path.split('?')[0]!);
    if (!op) return void this.problems.push(`${method} ${path}: not in the OpenAPI document`);
    const declared = op.responses[String(res.status)];
    if (!declared) return void this.problems.push(`${method} ${path}: status ${res.status} is not declared`);
    const schema = declared.content?.['application/json']?.schema;
    if (!schema || res.json === undefined) return;
    this.checked++;
    for (const p of checkSchema(res.json, schema, this.doc!)) this.problems.push(`${method} ${path} ${res.status}: ${p}`);
  }
}

function findOperation(doc: Schema, method: string, path: string): OperationDoc | undefined {
  const paths = doc.paths as Record<string, Record<string, OperationDoc>>;
  for (const [template, item] of Object.entries(paths)) {
    const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);
    if (pattern.test(path) && item[method.toLowerCase()]) return item[method.toLowerCase()];
  }
  return undefined;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export function raw(method: string, url: string, options: { token?: string | null; body?: unknown; localAddress?: string; headers?: Record<string, string> }): Promise<RawResponse> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method, agent: false, localAddress: options.localAddress,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        // Explicit length: Node sends GET/DELETE bodies without framing otherwise.
        ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
        ...options.headers,
      },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        const json = res.headers['content-type']?.includes('application/json') && text ? JSON.parse(text) as unknown : undefined;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.end(body);
  });
}

/** Reads a streaming response (SSE, followed logs) until `until` matches the text so far. */
export function readStream(url: string, headers: Record<string, string>, until: (text: string) => boolean, onOpen: () => void = () => {}, timeoutMs = 180_000): Promise<{ status: number; contentType: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      let text = '';
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`stream did not show what was expected within ${timeoutMs} ms; got:\n${text.slice(-3000)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), text });
      };
      if ((res.statusCode ?? 0) >= 400) {
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', done);
        return;
      }
      res.on('data', (d: Buffer) => {
        text += d.toString();
        if (until(text)) done();
      });
      onOpen();
    });
    req.on('error', (err) => (err.message === 'socket hang up' ? undefined : reject(err)));
  });
}

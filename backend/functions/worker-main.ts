/**
 * The entry of one function worker: a child process of DevFlow (worker-process.ts) that loads
 * one deployed bundle and serves it over HTTP on 127.0.0.1, one request per invocation, with
 * web-standard Request and Response (WHATWG Fetch, as Supabase's Edge Runtime hands them).
 *
 * The handler is the module's default export (a function, or an object with `fetch`, as Hono
 * apps are), else whatever the module passed to `Deno.serve`. The `Deno` global here is a shim
 * with only what ported functions commonly touch: `Deno.serve(handler)` and `Deno.env.get`.
 * Everything a function logs through `console` reaches DevFlow over the IPC channel with the
 * invocation it belongs to (AsyncLocalStorage), so logs read per invocation.
 *
 * Before the bundle loads, the network guard (network-guard.ts) is installed with the endpoints
 * the parent allows (argument 4, JSON), so the function's first connection is judged already.
 *
 * This file imports Node's built-ins and two small modules of this folder only: it is bundled
 * alone by esbuild (worker-script.ts) so the child needs neither tsx nor DevFlow's node_modules,
 * and reads only its bundle's folder.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { installNetworkGuard } from './network-guard.js';
import type { AllowedEndpoint } from './network-policy.js';

type Handler = (req: Request) => Response | Promise<Response>;
type WorkerMessage =
  | { type: 'ready'; port: number }
  | { type: 'fatal'; message: string }
  | { type: 'log'; invocation: string | null; stream: 'stdout' | 'stderr'; line: string };

/** The header the parent names each invocation with; removed before the function sees the request. */
const INVOCATION_HEADER = 'x-devflow-invocation';

const [bundlePath, functionName, allowedJson] = process.argv.slice(2) as [string, string, string | undefined];
const invocation = new AsyncLocalStorage<string>();
let served: Handler | undefined;

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function captureConsole(): void {
  const streams = { log: 'stdout', info: 'stdout', debug: 'stdout', trace: 'stderr', warn: 'stderr', error: 'stderr' } as const;
  for (const [method, stream] of Object.entries(streams)) {
    (console as unknown as Record<string, (...args: unknown[]) => void>)[method] = (...args: unknown[]) =>
      send({ type: 'log', invocation: invocation.getStore() ?? null, stream, line: format(...args) });
  }
}

/** Deno.serve's three call shapes: (handler), (options, handler), ({ handler, ...options }). */
function installDenoShim(): void {
  const serve = (first: unknown, second?: unknown): void => {
    const handler = typeof first === 'function' ? first : typeof second === 'function' ? second : (first as { handler?: unknown } | undefined)?.handler;
    if (typeof handler !== 'function') throw new TypeError('Deno.serve needs a handler function');
    served = handler as Handler;
  };
  const env = Object.freeze({ get: (key: string): string | undefined => process.env[key] });
  Object.defineProperty(globalThis, 'Deno', { value: Object.freeze({ serve, env }), enumerable: false });
}

function pickHandler(module: Record<string, unknown>): Handler | undefined {
  const main = module.default as { fetch?: unknown } | ((req: Request) => Response) | undefined;
  if (typeof main === 'function') return main as Handler;
  if (main && typeof main.fetch === 'function') return (req) => (main.fetch as Handler).call(main, req);
  return served;
}

function toRequest(req: http.IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === INVOCATION_HEADER || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    duplex: 'half',
  } as RequestInit);
}

async function writeResponse(res: http.ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => { if (name !== 'set-cookie') headers[name] = value; });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, response.statusText, headers);
  if (!response.body) return void res.end();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  res.end();
}

function failed(res: http.ServerResponse, err: unknown): void {
  console.error(err instanceof Error ? (err.stack ?? err.message) : format(err));
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ code: 'FUNCTION_ERROR', message: `function ${functionName} failed: its error is in the function's logs` });
  res.writeHead(500, { 'content-type': 'application/json' }).end(body);
}

async function serveOne(handler: Handler, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    const response = await handler(toRequest(req));
    if (!(response instanceof Response)) throw new TypeError(`the handler returned ${format(response)}, not a Response`);
    await writeResponse(res, response);
  } catch (err) {
    failed(res, err);
  }
}

async function main(): Promise<void> {
  captureConsole();
  installDenoShim();
  installNetworkGuard(JSON.parse(allowedJson ?? '[]') as AllowedEndpoint[]);
  process.on('uncaughtException', (err) => {
    console.error('uncaught exception, the worker stops:', err.stack ?? err.message);
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => console.error('unhandled promise rejection:', reason));
  let handler: Handler | undefined;
  try {
    handler = pickHandler(await import(pathToFileURL(bundlePath).href) as Record<string, unknown>);
  } catch (err) {
    send({ type: 'fatal', message: `the function failed to load: ${err instanceof Error ? (err.stack ?? err.message) : format(err)}` });
    process.exit(1);
  }
  if (!handler) {
    send({ type: 'fatal', message: 'the function has no handler: export default a (req) => Response function, or call Deno.serve(handler)' });
    process.exit(1);
  }
  const server = http.createServer((req, res) => {
    const id = req.headers[INVOCATION_HEADER];
    void invocation.run(typeof id === 'string' ? id : '', () => serveOne(handler, req, res));
  });
  server.listen(0, '127.0.0.1', () => send({ type: 'ready', port: (server.address() as { port: number }).port }));
  // The parent going away (DevFlow stopped or crashed) ends the worker too.
  process.on('disconnect', () => process.exit(0));
}

void main();

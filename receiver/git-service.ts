/**
 * Runs git's own upload-pack / receive-pack in stateless-RPC mode behind HTTP, the way
 * git-http-backend(1) does: the advertisement for GET info/refs, and one RPC per POST with the
 * (possibly gzip-encoded) request body piped to git's stdin and git's stdout streamed back.
 * Commands are argument arrays; nothing passes through a shell.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type http from 'node:http';
import { Transform, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { advertisementPreamble, type GitService } from './routes.js';

/** The git environment: the server's, minus GIT_* variables that would point git elsewhere. */
export function gitEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  return { ...env, ...extra };
}

function spawnGit(args: string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  return spawn('git', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
}

function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

function exitCode(child: ChildProcessWithoutNullStreams): Promise<number> {
  return new Promise((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', (code) => resolve(code ?? -1));
  });
}

export function noCacheHeaders(contentType: string): http.OutgoingHttpHeaders {
  return {
    'Content-Type': contentType,
    'Cache-Control': 'no-cache, max-age=0, must-revalidate',
    Pragma: 'no-cache',
    Expires: 'Fri, 01 Jan 1980 00:00:00 GMT',
  };
}

/** GET info/refs: the ref advertisement, buffered so a git failure can still become a 500. */
export async function advertiseRefs(res: http.ServerResponse, service: GitService, dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const git = spawnGit([service, '--stateless-rpc', '--advertise-refs', dir], env);
  git.stdin.end();
  const [stdout, stderr, code] = await Promise.all([collect(git.stdout), collect(git.stderr), exitCode(git)]);
  if (code !== 0) {
    res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`git ${service} failed: ${stderr.toString().trim()}\n`);
    return;
  }
  const protocolV2 = /(^|:)version=2(:|$)/.test(env.GIT_PROTOCOL ?? '');
  res.writeHead(200, noCacheHeaders(`application/x-git-${service}-advertisement`));
  res.end(Buffer.concat([Buffer.from(advertisementPreamble(service, protocolV2)), stdout]));
}

/** Undoes Content-Encoding; git gzips request bodies it can buffer. Null for unknown encodings. */
export function decodeBody(req: http.IncomingMessage): Readable | null {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'gzip' || encoding === 'x-gzip') return req.pipe(zlib.createGunzip());
  if (encoding === 'deflate') return req.pipe(zlib.createInflate());
  return encoding === 'identity' ? req : null;
}

/** Passes bytes through until more than `limit` have gone by, then fails the stream. */
export function byteLimit(limit: number, message: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(seen > limit ? new Error(message) : null, seen > limit ? undefined : chunk);
    },
  });
}

export interface RpcOptions {
  service: GitService;
  dir: string;
  env: NodeJS.ProcessEnv;
  body: Readable;
  /** Extra `-c key=value` settings for this git invocation. */
  config: string[];
  /** Called once if the client goes away before the response is complete. */
  onDisconnect(): void;
}

/**
 * POST git-<service>: pipes the body to git and streams git's output back. Output is held until
 * the body has been read, so that an oversized or broken upload can still be answered with a
 * plain HTTP error instead of a truncated git stream.
 */
export async function runRpc(res: http.ServerResponse, options: RpcOptions): Promise<void> {
  const args = [...options.config.flatMap((c) => ['-c', c]), options.service, '--stateless-rpc', options.dir];
  const git = spawnGit(args, options.env);
  const held: Buffer[] = [];
  let bodyDone = false;
  let bodyError: Error | null = null;
  const stderr = collect(git.stderr);
  const flushHeld = (): void => {
    if (!res.headersSent) res.writeHead(200, noCacheHeaders(`application/x-git-${options.service}-result`));
    for (const chunk of held.splice(0)) res.write(chunk);
  };
  git.stdout.on('data', (chunk: Buffer) => {
    if (!bodyDone) return void held.push(chunk);
    if (res.write(chunk)) return;
    git.stdout.pause(); // backpressure: a slow cloner must not make us buffer the whole pack
    res.once('drain', () => git.stdout.resume());
  });
  res.on('close', () => {
    if (res.writableFinished) return;
    git.kill('SIGTERM');
    options.onDisconnect();
  });
  git.stdin.on('error', () => undefined); // git may exit early (bad request); its exit code says why
  options.body.on('error', (err) => {
    bodyError = err;
    git.kill('SIGTERM');
  });
  options.body.on('end', () => {
    bodyDone = true;
    flushHeld();
  });
  options.body.pipe(git.stdin);
  const code = await exitCode(git);
  await finishRpc(res, { code, bodyError, bodyDone, stderr: (await stderr).toString(), flushHeld });
}

interface RpcResult {
  code: number;
  bodyError: Error | null;
  bodyDone: boolean;
  stderr: string;
  flushHeld(): void;
}

async function finishRpc(res: http.ServerResponse, result: RpcResult): Promise<void> {
  if (res.destroyed) return;
  if (result.bodyError && !res.headersSent) {
    const status = /too large/.test(result.bodyError.message) ? 413 : 400;
    res.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close' }).end(`${result.bodyError.message}\n`);
    return;
  }
  if (!result.bodyDone && result.code !== 0 && !res.headersSent) {
    res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`git failed: ${result.stderr.trim()}\n`);
    return;
  }
  // A non-zero exit after output began (e.g. a rejected push) is reported inside git's stream.
  result.flushHeld();
  await new Promise<void>((resolve) => res.end(resolve));
}

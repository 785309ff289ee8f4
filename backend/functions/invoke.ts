/**
 * One invocation: the caller's request is streamed to a warm worker and its answer streamed
 * back, within the function's time limit. A worker past its limit is killed (it may be looping
 * and would never yield), and the caller gets an error status and body it can read; so does a
 * caller whose worker died under it (its memory limit, a crash). The statuses follow Supabase's
 * Edge Functions: 504 for the wall-clock limit, 546 (WORKER_LIMIT) for a worker that ran out of
 * resources.
 */
import http from 'node:http';
import { describeExit, type FunctionWorker } from './worker-process.js';

export type InvocationOutcome =
  | { kind: 'answered'; status: number }
  | { kind: 'timeout'; limitMs: number }
  | { kind: 'crashed'; exit: string }
  | { kind: 'caller-gone' };

export interface InvocationTarget {
  worker: FunctionWorker;
  /** The path the function sees: `/<name>/<rest>?<query>`, as Supabase's runtime passes it. */
  path: string;
  invocation: string;
  timeLimitMs: number;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function forwardable(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/** The status and body a caller gets when the function gave no answer of its own. */
export function failureAnswer(outcome: Exclude<InvocationOutcome, { kind: 'answered' } | { kind: 'caller-gone' }>, name: string): { status: number; body: { code: string; message: string } } {
  switch (outcome.kind) {
    case 'timeout':
      return { status: 504, body: { code: 'WORKER_TIMEOUT', message: `function ${name} ran past its time limit of ${outcome.limitMs} ms and was stopped` } };
    case 'crashed':
      return { status: 546, body: { code: 'WORKER_LIMIT', message: `function ${name}'s worker stopped (${outcome.exit}): it ran out of memory or crashed; see its logs` } };
  }
}

export function invokeWorker(req: http.IncomingMessage, res: http.ServerResponse, target: InvocationTarget): Promise<InvocationOutcome> {
  const { worker } = target;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: InvocationOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const upstream = http.request({
      host: '127.0.0.1', port: worker.port, method: req.method, path: target.path,
      headers: { ...forwardable(req.headers), 'x-devflow-invocation': target.invocation },
    });
    const timer = setTimeout(() => {
      worker.stop();
      upstream.destroy();
      settle({ kind: 'timeout', limitMs: target.timeLimitMs });
    }, target.timeLimitMs);
    upstream.on('response', (answer) => {
      const headers = forwardable(answer.headers);
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      res.on('finish', () => settle({ kind: 'answered', status: answer.statusCode ?? 502 }));
      res.on('close', () => settle(res.writableFinished ? { kind: 'answered', status: answer.statusCode ?? 502 } : { kind: 'caller-gone' }));
    });
    upstream.on('error', () => {
      // The connection broke: the worker died under the request (or was killed by the timer).
      void Promise.race([worker.exited, new Promise((r) => setTimeout(r, 1000))]).then(() =>
        settle({ kind: 'crashed', exit: worker.exit ? describeExit(worker.exit) : 'connection lost' }));
    });
    req.on('aborted', () => {
      upstream.destroy();
      settle({ kind: 'caller-gone' });
    });
    req.pipe(upstream);
  });
}

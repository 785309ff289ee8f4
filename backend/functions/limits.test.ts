import { describe, expect, it } from 'vitest';
import { failureAnswer } from './invoke.js';
import { workerArgs } from './worker-process.js';

describe("a worker's command", () => {
  it('reads only its script and its bundle folder, with a capped heap', () => {
    const allowed = [{ address: '127.0.0.1', port: 5432, what: 'SUPABASE_DB_URL' }];
    const args = workerArgs({ script: '/h/functions/.runtime/worker-abc.mjs', bundlePath: '/h/functions/shop/hello/v3/dist/index.mjs', name: 'hello', env: {}, memoryMb: 128, allowed });
    expect(args).toEqual([
      '--experimental-permission',
      '--allow-fs-read=/h/functions/.runtime/worker-abc.mjs',
      '--allow-fs-read=/h/functions/shop/hello/v3/dist/',
      '--max-old-space-size=128',
      '--disable-warning=ExperimentalWarning',
      '/h/functions/.runtime/worker-abc.mjs', '/h/functions/shop/hello/v3/dist/index.mjs', 'hello', JSON.stringify(allowed),
    ]);
    expect(args.some((a) => a.startsWith('--allow-child-process') || a.startsWith('--allow-worker') || a.startsWith('--allow-fs-write'))).toBe(false);
  });
});

describe('answers when a function gave none', () => {
  it.each([
    [{ kind: 'timeout', limitMs: 2000 } as const, 504, 'WORKER_TIMEOUT', 'function f ran past its time limit of 2000 ms and was stopped'],
    [{ kind: 'crashed', exit: 'signal SIGABRT' } as const, 546, 'WORKER_LIMIT', "function f's worker stopped (signal SIGABRT): it ran out of memory or crashed; see its logs"],
  ])('%o', (outcome, status, code, message) => {
    expect(failureAnswer(outcome, 'f')).toEqual({ status, body: { code, message } });
  });
});
